import Glibc

/// A connected pair of stream sockets, close-on-exec, that can carry descriptors (`SCM_RIGHTS`).
struct SocketPair {
    var first: Int32
    var second: Int32

    static func make() throws(SystemCallError) -> SocketPair {
        var fds: [Int32] = [-1, -1]
        try SystemCall.retrying("cannot create a socket pair") {
            socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds)
        }
        return SocketPair(first: fds[0], second: fds[1])
    }

    /// Sends `bytes`, the descriptor riding on the first of them; the rest follows with plain writes.
    static func send(_ bytes: [UInt8], descriptor: Int32, on socket: Int32) throws(SystemCallError) {
        guard !bytes.isEmpty else { return }
        var control = [UInt8](repeating: 0, count: controlSize)
        control.withUnsafeMutableBytes { control in
            let header = control.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
            header.pointee.cmsg_len = headerSize + 4
            header.pointee.cmsg_level = SOL_SOCKET
            header.pointee.cmsg_type = Int32(SCM_RIGHTS)
            (control.baseAddress! + headerSize).storeBytes(of: descriptor, as: Int32.self)
        }
        var first = bytes[0]
        let sent = try SystemCall.retrying("cannot hand the run to its supervisor") {
            withUnsafeMutableBytes(of: &first) { data in
                message(data, &control) { sendmsg(socket, $0, Int32(MSG_NOSIGNAL)) }
            }
        }
        guard sent == 1, Descriptor.writeAll(socket, bytes[1...]) else {
            throw SystemCallError("cannot hand the run to its supervisor", code: EPIPE)
        }
    }

    /// Reads what is there (blocking until something is); a descriptor that came with it is returned
    /// too. A count of 0 is end of file.
    static func receive(on socket: Int32, into buffer: inout [UInt8]) -> (count: Int, descriptor: Int32?) {
        var control = [UInt8](repeating: 0, count: controlSize)
        let received = buffer.withUnsafeMutableBytes { data in
            SystemCall.result { message(data, &control) { recvmsg(socket, $0, Int32(MSG_CMSG_CLOEXEC)) } }
        }
        let count = (try? received.get()) ?? 0
        var descriptor: Int32?
        control.withUnsafeBytes { control in
            let header = control.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
            if count > 0, header.pointee.cmsg_level == SOL_SOCKET, header.pointee.cmsg_type == Int32(SCM_RIGHTS),
               header.pointee.cmsg_len >= headerSize + 4 {
                descriptor = control.load(fromByteOffset: headerSize, as: Int32.self)
            }
        }
        return (count, descriptor)
    }

    /// Calls `sendmsg` or `recvmsg` with one data buffer and a control buffer.
    private static func message(_ data: UnsafeMutableRawBufferPointer, _ control: inout [UInt8],
                                _ call: (UnsafeMutablePointer<msghdr>) -> Int) -> Int {
        control.withUnsafeMutableBytes { control in
            var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
            return withUnsafeMutablePointer(to: &vector) { vector in
                var header = msghdr()
                header.msg_iov = vector
                header.msg_iovlen = 1
                header.msg_control = control.baseAddress
                header.msg_controllen = control.count
                return call(&header)
            }
        }
    }

    /// `CMSG_LEN(0)` and `CMSG_SPACE(sizeof(int))` on Linux.
    private static let headerSize = MemoryLayout<cmsghdr>.size
    private static let controlSize = MemoryLayout<cmsghdr>.size + 8
}
