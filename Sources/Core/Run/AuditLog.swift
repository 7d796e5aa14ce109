import CLinux
import Glibc

/// `<state-dir>/audit.log`: one JSON line per run, appended with one `write(2)` on an `O_APPEND`
/// descriptor, so that lines from several processes never interleave.
public struct AuditLog: Sendable {
    public let path: String

    public init(stateDirectory: String) {
        path = stateDirectory + "/audit.log"
    }

    /// Appends the record; throws when the log cannot be written (the caller logs it). A line that
    /// cannot be written whole is not written at all, so that the lines before it and after it stay whole.
    public func append(_ record: AuditRecord) throws(SystemCallError) {
        let line = JSONBody.encode(record) + [UInt8(ascii: "\n")]
        let fd = try SystemCall.retrying("cannot open \(path)") { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600) }
        defer { close(fd) }  // the line is written or not by then
        // The blocks first, beyond the end (another process's line may land in them; it is as long a
        // line as ours, give or take): a full disk then fails here, before a byte is written.
        var info = stat()
        if fstat(fd, &info) == 0, case .failure(let code) = SystemCall.result({ clinux_reserve(fd, Int64(info.st_size), Int64(line.count) + 4096) }),
           code.value != EOPNOTSUPP, code.value != ENOSYS {
            throw SystemCallError("cannot append to \(path)", code: code.value)
        }
        let written = try line.withUnsafeBytes { line in SystemCall.result { write(fd, line.baseAddress, line.count) } }
            .mapError { SystemCallError("cannot append to \(path)", code: $0.value) }.get()
        // One write(2) of a regular file in O_APPEND mode writes it all unless the disk is full.
        guard written == line.count else {
            takeBack(written, fd: fd)
            throw SystemCallError("cannot append to \(path)", code: ENOSPC)
        }
    }

    /// Cuts the part of a line written last off the end, unless another line came after it: a line
    /// without its end would run into the next one.
    private func takeBack(_ count: Int, fd: Int32) {
        let end = lseek(fd, 0, SEEK_CUR)  // O_APPEND: the end of what this write wrote
        var info = stat()
        guard count > 0, end >= count, fstat(fd, &info) == 0, info.st_size == end else { return }
        ftruncate(fd, end - off_t(count))  // not checked: the error thrown is the one that counts
    }
}
