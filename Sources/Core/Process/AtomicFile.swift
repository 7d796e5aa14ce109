import Glibc

/// Whole-file replacement that a reader never sees half done: the bytes go to a temporary file beside
/// the target, which is renamed into place; synced (`fsync` of the file and the directory), a crash
/// does not see it half done either.
enum AtomicFile {
    /// Replaces `path` with `bytes` (mode 0600); a failure leaves the old file whole. The error names
    /// `what` and `path` (`cannot write job record /x/jobs/y.json: No space left on device`).
    /// - Parameter synced: on the disk once this returns (the file, then the rename); without it the
    ///   bytes may be lost, or the file left empty, by a crash of the machine soon after.
    static func write(_ bytes: [UInt8], to path: String, what: String, synced: Bool = true) throws(SystemCallError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(directory)/.\(name).\(getpid()).tmp"
        let what = "\(what) \(path)"  // every error names the file it was to replace
        do throws(SystemCallError) {
            try writeAll(bytes, to: temporary, what: what, synced: synced)
            try SystemCall.retrying("cannot write \(what)") { rename(temporary, path) }
        } catch {
            unlink(temporary)  // not checked: the error that counts is the one thrown
            throw error
        }
        guard synced else { return }
        // Not checked: the file is in place; a directory not synced could only lose it in a crash.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Creates (or truncates) `path` with `bytes` in it, on the disk once this returns if `synced`.
    private static func writeAll(_ bytes: [UInt8], to path: String, what: String, synced: Bool) throws(SystemCallError) {
        let fd = try SystemCall.retrying("cannot write \(what)") { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) }
        defer { close(fd) }  // synced, or failed already: close has nothing to add
        var offset = 0
        while offset < bytes.count {
            switch bytes.withUnsafeBytes({ buffer in SystemCall.result { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) } }) {
            case .success(let count) where count > 0: offset += count
            // A regular file takes at least a byte or says why not: 0 is no answer to wait on.
            case .success: throw SystemCallError("cannot write \(what)", code: EIO)
            case .failure(let code): throw SystemCallError("cannot write \(what)", code: code.value)
            }
        }
        if synced { try SystemCall.retrying("cannot write \(what)") { fsync(fd) } }
    }
}
