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
        do throws(SystemCallError) {
            try AtomicFile.write(JSONBody.encode(record), to: path(record.job_id), what: "job record")
        } catch {
            throw JobStoreError(error.description, isUnwritable: true)
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

    public func list(limit: Int, before: String?, matching: (JobRecord) -> Bool) -> [JobRecord] {
        Array(ids().lazy.filter { id in before.map { id < $0 } ?? true }.compactMap { try? read($0) }.filter(matching).prefix(limit))
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
