import Glibc

/// Small operations on raw file descriptors.
enum Descriptor {
    /// Marks a descriptor close-on-exec.
    static func setCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Closes the descriptor when it is open and marks it closed (-1).
    static func close(_ fd: inout Int32) {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Writes all of `bytes` to a blocking descriptor; false when it could not (e.g. the reader is gone).
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return false }
                offset += count
            }
            return true
        }
    }

    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        writeAll(fd, bytes[...])
    }

    /// Everything readable from a blocking descriptor up to end of file; `nil` on a read error.
    static func readAll(_ fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Reads what a non-blocking descriptor has, through `chunk`; false at end of file or on error.
    static func readAvailable(_ fd: Int32, using chunk: inout [UInt8], into sink: (UnsafeRawBufferPointer) -> Void) -> Bool {
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                chunk.withUnsafeBytes { sink(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return true }
            return false
        }
    }
}
