import FoundationEssentials
import Glibc

/// Job identifiers: `job_` + the creation time in milliseconds (13 digits) + `_` + 8 random letters or
/// digits, so that names sort by creation time and carry their age.
public enum JobID {
    public static func make(milliseconds: Int64, random: String) -> String {
        let digits = String(milliseconds)
        return "job_" + String(repeating: "0", count: max(0, 13 - digits.count)) + digits + "_" + String(random.prefix(8))
    }

    public static func isValid(_ id: String) -> Bool {
        let parts = id.split(separator: "_", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "job" && parts[1].count == 13 && parts[1].allSatisfy(\.isASCII)
            && parts[1].allSatisfy(\.isNumber) && parts[2].count == 8
            && parts[2].unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// Milliseconds since the epoch at creation; `nil` for an invalid id.
    public static func milliseconds(of id: String) -> Int64? {
        guard isValid(id) else { return nil }
        return Int64(id.split(separator: "_")[1])
    }
}

/// Where job records live.
public protocol JobStore: Sendable {
    func read(_ id: String) -> JobRecord?
    /// Replaces the record atomically.
    func write(_ record: JobRecord) throws(APIError)
    /// The newest jobs first, at most `limit`, only those older than `before` when given.
    func list(limit: Int, before: String?) -> [JobRecord]
    /// Deletes finished records older than `maxAgeSeconds` and all but the newest `maxCount`.
    func prune(nowMilliseconds: Int64, maxAgeSeconds: Int64, maxCount: Int)
}

/// One JSON file per job in `<state-dir>/jobs`, written to a temporary file, `fsync`ed and renamed into
/// place, so a reader sees the old record or the new one, and a crash loses neither.
public struct FileJobStore: JobStore {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    func path(_ id: String) -> String { "\(directory)/\(id).json" }

    public func read(_ id: String) -> JobRecord? {
        guard JobID.isValid(id), let bytes = FileBytes.read(path(id), limit: 64 << 20) else { return nil }
        return try? JSONDecoder().decode(JobRecord.self, from: Data(bytes))
    }

    public func write(_ record: JobRecord) throws(APIError) {
        let bytes = JSONBody.encode(record)
        let temporary = "\(directory)/.\(record.job_id).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .internalFailure(detail: "cannot write job record: \(SystemError.describe(errno))") }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path(record.job_id)) == 0 else {
            let failure = errno
            unlink(temporary)
            throw .internalFailure(detail: "cannot write job record: \(SystemError.describe(failure))")
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Every job id in the store, newest first.
    func ids() -> [String] {
        FileBytes.names(inDirectory: directory)
            .filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }
            .filter(JobID.isValid)
            .sorted(by: >)
    }

    public func list(limit: Int, before: String?) -> [JobRecord] {
        ids().lazy.filter { id in before.map { id < $0 } ?? true }.prefix(limit).compactMap { read($0) }
    }

    public func prune(nowMilliseconds: Int64, maxAgeSeconds: Int64, maxCount: Int) {
        let cutoff = nowMilliseconds - maxAgeSeconds * 1000
        for (index, id) in ids().enumerated() {
            guard index >= maxCount || (JobID.milliseconds(of: id) ?? .max) < cutoff else { continue }
            if read(id)?.status == .running { continue }
            unlink(path(id))
        }
    }
}
