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

    /// One `read(2)` from a blocking descriptor into `buffer`, again on EINTR: the bytes read, 0 at end
    /// of file, -1 on an error.
    static func read(_ fd: Int32, into buffer: inout [UInt8]) -> Int {
        var count: Int
        repeat {
            count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        } while count < 0 && errno == EINTR
        return count
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
