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
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return written == line.count
    }
}
