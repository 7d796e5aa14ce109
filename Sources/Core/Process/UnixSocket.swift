import CLinux
import Glibc

/// A Unix stream socket at a path: one side listens, the other connects; every descriptor close-on-exec.
/// A path too long for `sockaddr_un` is reached through its directory's descriptor (`/proc/self/fd/N/name`).
enum UnixSocket {
    /// Listens at `path`, replacing whatever socket file was left there.
    static func listen(at path: String, backlog: Int32 = 8) throws(SystemCallError) -> Int32 {
        let fd = try SystemCall.retrying("cannot create a socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            unlink(path)
            _ = try withAddress(path) { address, length throws(SystemCallError) in
                try SystemCall.retrying("cannot bind \(path)") { bind(fd, address, length) }
            }
            try SystemCall.retrying("cannot listen on \(path)") { Glibc.listen(fd, backlog) }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// A connection to the socket at `path`; `nil` when nothing listens there.
    static func connect(to path: String) -> Int32? {
        guard case .success(let fd) = SystemCall.result({ socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }) else {
            return nil
        }
        let connected = (try? withAddress(path) { address, length throws(SystemCallError) in
            try SystemCall.retrying("cannot connect to \(path)") { Glibc.connect(fd, address, length) }
        }) != nil
        if connected { return fd }
        close(fd)
        return nil
    }

    /// The next connection waiting on `listener`; `nil` when none is.
    static func accept(_ listener: Int32) -> Int32? {
        guard case .success(let fd) = SystemCall.result({ clinux_accept_cloexec(listener) }) else { return nil }
        return fd
    }

    /// The pid of the process at the other end of a connection (when it connected or listened).
    static func peerPID(_ socket: Int32) -> pid_t? {
        let pid = clinux_peer_pid(socket)
        return pid > 0 ? pid : nil
    }

    /// Calls `body` with the address of `path`.
    private static func withAddress<Result>(_ path: String,
                                            _ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemCallError) -> Result) throws(SystemCallError) -> Result {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        var reachable = path
        var directory: Int32 = -1
        defer { if directory >= 0 { close(directory) } }
        if path.utf8.count >= capacity {
            let slash = path.lastIndex(of: "/") ?? path.startIndex
            let parent = path[..<slash].isEmpty ? "/" : String(path[..<slash])
            directory = try SystemCall.retrying("cannot open \(parent)") { open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            reachable = "/proc/self/fd/\(directory)/" + path[path.index(after: slash)...]
        }
        let bytes = Array(reachable.utf8)
        guard bytes.count < capacity else { throw SystemCallError("cannot use socket path \(path)", code: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        return try withUnsafePointer(to: &address) { pointer throws(SystemCallError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemCallError) in try body(address, length) }
        }
    }
}
