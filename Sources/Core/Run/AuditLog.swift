import Glibc

/// `<state-dir>/audit.log`: one JSON line per run, appended with one `write(2)` on an `O_APPEND`
/// descriptor, so that lines from several processes never interleave.
public struct AuditLog: Sendable {
    public let path: String

    public init(stateDirectory: String) {
        path = stateDirectory + "/audit.log"
    }

    /// Appends the record; false when the log cannot be written (the caller logs it).
    @discardableResult
    public func append(_ record: AuditRecord) -> Bool {
        let line = JSONBody.encode(record) + [UInt8(ascii: "\n")]
        guard case .success(let fd) = SystemCall.result({ open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600) }) else { return false }
        defer { close(fd) }  // the line is written or not by then
        let written = line.withUnsafeBytes { line in SystemCall.result { write(fd, line.baseAddress, line.count) } }
        return written == .success(line.count)
    }
}
