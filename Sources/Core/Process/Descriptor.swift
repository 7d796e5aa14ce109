import CLinux
import Glibc

/// Small operations on raw file descriptors.
enum Descriptor {
    /// Marks a descriptor close-on-exec.
    static func setCloseOnExec(_ fd: Int32) throws(SystemCallError) {
        try SystemCall.retrying("cannot mark descriptor \(fd) close-on-exec") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }

    static func setNonBlocking(_ fd: Int32) throws(SystemCallError) {
        let flags = try SystemCall.retrying("cannot read the flags of descriptor \(fd)") { fcntl(fd, F_GETFL) }
        try SystemCall.retrying("cannot make descriptor \(fd) non-blocking") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Closes the descriptor when it is open and marks it closed (-1).
    static func close(_ fd: inout Int32) {
        // Not checked: the descriptor is gone whatever close says (on Linux even after EINTR), and
        // there is nothing to retry.
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Closes every descriptor from `lowest` to `highest`: `close_range(2)`, or one by one (up to
    /// 65 535) where the kernel has none (`ENOSYS`). Plain system calls only, so the child of
    /// ``Spawn`` may call it between `clone` and `exec`.
    static func closeRange(_ lowest: Int32, _ highest: Int32 = Int32.max) {
        guard lowest <= highest else { return }
        if clinux_close_range(UInt32(lowest), UInt32(highest)) == 0 { return }
        var fd = lowest
        while fd <= min(highest, 65_535) {
            // Not checked: most of these are not open.
            Glibc.close(fd)
            fd += 1
        }
    }

    /// Writes all of `bytes` to a blocking descriptor; false when it could not (e.g. the reader is gone).
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                guard case .success(let count) = SystemCall.result({ Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) }),
                      count > 0 else { return false }
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
        let result = buffer.withUnsafeMutableBytes { buffer in SystemCall.result { Glibc.read(fd, buffer.baseAddress, buffer.count) } }
        return (try? result.get()) ?? -1
    }

    /// Reads what a non-blocking descriptor has, through `chunk`; false at end of file or on error.
    static func readAvailable(_ fd: Int32, using chunk: inout [UInt8], into sink: (UnsafeRawBufferPointer) -> Void) -> Bool {
        while true {
            switch chunk.withUnsafeMutableBytes({ buffer in SystemCall.result { Glibc.read(fd, buffer.baseAddress, buffer.count) } }) {
            case .success(0):
                return false
            case .success(let count):
                chunk.withUnsafeBytes { sink(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            case .failure(let code):
                return code.value == EAGAIN
            }
        }
    }
}
