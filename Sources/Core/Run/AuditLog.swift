import Glibc

/// `<state-dir>/audit.log`: one JSON line per run, appended with one `write(2)` on an `O_APPEND`
/// descriptor, so that lines from several processes never interleave.
public struct AuditLog: Sendable {
    public let path: String

    public init(stateDirectory: String) {
        path = stateDirectory + "/audit.log"
    }

    /// Appends the record; throws when the log cannot be written (the caller logs it).
    public func append(_ record: AuditRecord) throws(SystemCallError) {
        let line = JSONBody.encode(record) + [UInt8(ascii: "\n")]
        let fd = try SystemCall.retrying("cannot open \(path)") { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600) }
        defer { close(fd) }  // the line is written or not by then
        let written = try line.withUnsafeBytes { line in SystemCall.result { write(fd, line.baseAddress, line.count) } }
            .mapError { SystemCallError("cannot append to \(path)", code: $0.value) }.get()
        // One write(2) of a regular file in O_APPEND mode writes it all unless the disk is full.
        guard written == line.count else { throw SystemCallError("cannot append to \(path)", code: ENOSPC) }
    }
}
