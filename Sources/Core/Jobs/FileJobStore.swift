import FoundationEssentials
import Glibc

/// One JSON file per job in `<state-dir>/jobs`, written to a temporary file, `fsync`ed and renamed into
/// place, so a reader sees the old record or the new one, and a crash loses neither.
public struct FileJobStore: JobStore {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    func path(_ id: String) -> String { "\(directory)/\(id).json" }

    public func read(_ id: String) throws(JobStoreError) -> JobRecord? {
        guard JobID.isValid(id), let bytes = FileBytes.read(path(id), limit: 64 << 20) else { return nil }
        do {
            return try JSONDecoder().decode(JobRecord.self, from: Data(bytes))
        } catch {
            throw JobStoreError("job \(id): its record cannot be read: \(OneLine.clean(String(describing: error), limit: 200))")
        }
    }

    public func write(_ record: JobRecord) throws(JobStoreError) {
        let bytes = JSONBody.encode(record)
        let temporary = "\(directory)/.\(record.job_id).\(getpid()).tmp"
        do throws(SystemCallError) {
            try Self.writeSynced(bytes, to: temporary)
            try SystemCall.retrying("cannot write job record") { rename(temporary, path(record.job_id)) }
        } catch {
            unlink(temporary)  // not checked: the error that counts is the one thrown
            throw JobStoreError(error.description)
        }
        // Not checked: the record is in place; a directory not synced could only lose it in a crash.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Creates (or truncates) `path` with `bytes` in it, on the disk once this returns.
    private static func writeSynced(_ bytes: [UInt8], to path: String) throws(SystemCallError) {
        let fd = try SystemCall.retrying("cannot write job record") { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) }
        defer { close(fd) }  // synced, or failed already: close has nothing to add
        var offset = 0
        while offset < bytes.count {
            switch bytes.withUnsafeBytes({ buffer in SystemCall.result { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) } }) {
            case .success(let count) where count > 0: offset += count
            // A regular file takes at least a byte or says why not: 0 is no answer to wait on.
            case .success: throw SystemCallError("cannot write job record", code: EIO)
            case .failure(let code): throw SystemCallError("cannot write job record", code: code.value)
            }
        }
        try SystemCall.retrying("cannot write job record") { fsync(fd) }
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
        ids().lazy.filter { id in before.map { id < $0 } ?? true }.prefix(limit).compactMap { try? read($0) }
    }

    public func prune(nowMilliseconds: Int64, maxAgeSeconds: Int64, maxCount: Int, isRunning: (JobRecord) -> Bool) {
        let cutoff = nowMilliseconds - maxAgeSeconds * 1000
        for (index, id) in ids().enumerated() {
            guard index >= maxCount || (JobID.milliseconds(of: id) ?? .max) < cutoff else { continue }
            if let record = try? read(id), isRunning(record) { continue }
            unlink(path(id))  // not checked: one gone already is what was wanted
        }
    }
}
