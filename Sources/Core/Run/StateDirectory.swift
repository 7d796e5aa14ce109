import Glibc

/// The state directory as a place to write: checked where a run is about to start, so that a run
/// whose job record, audit line or counters could not be written does not start at all.
public enum StateDirectory {
    /// Free space below this is a full disk: a run writes its record, its audit line and its counters
    /// after the check (a few KiB each), and the CLI its session.
    public static let reserveBytes: UInt64 = 1 << 20

    /// Throws ``APIError/stateUnwritable(detail:)`` naming `path` and the error when the file system
    /// under it is mounted read-only (`EROFS`), has less than ``reserveBytes`` free for us (`ENOSPC`),
    /// or cannot be asked (its `errno`, e.g. `ENOENT`). One `statvfs(2)`.
    public static func checkWritable(_ path: String) throws(APIError) {
        var info = statvfs()
        if case .failure(let code) = SystemCall.result({ statvfs(path, &info) }) {
            throw unwritable(path, code.value)
        }
        try check(path, readOnly: info.f_flag & UInt(ST_RDONLY) != 0, freeBytes: UInt64(info.f_bavail) * UInt64(info.f_frsize))
    }

    /// The decision of ``checkWritable(_:)`` on what `statvfs` said.
    static func check(_ path: String, readOnly: Bool, freeBytes: UInt64) throws(APIError) {
        if readOnly { throw unwritable(path, EROFS) }
        if freeBytes < reserveBytes {
            throw unwritable(path, ENOSPC, "\(freeBytes >> 10) KiB free, \(reserveBytes >> 10) KiB kept in reserve")
        }
    }

    static func unwritable(_ path: String, _ code: Int32, _ note: String? = nil) -> APIError {
        .stateUnwritable(detail: "cannot write \(path): \(Errno.describe(code))" + (note.map { " (\($0))" } ?? ""))
    }
}
