/// Where job records live.
public protocol JobStore: Sendable {
    /// The record; `nil` when there is none. Throws when one is there but cannot be read.
    func read(_ id: String) throws(JobStoreError) -> JobRecord?
    /// Replaces the record atomically.
    func write(_ record: JobRecord) throws(JobStoreError)
    /// The newest jobs first, at most `limit`, only those older than `before` when given; records that
    /// cannot be read are left out (``read(_:)`` names them).
    func list(limit: Int, before: String?, matching: (JobRecord) -> Bool) -> [JobRecord]
    /// Deletes records older than `maxAgeSeconds` and all but the newest `maxCount`, but never one that
    /// `isRunning` says runs (a record on disk may say running for a job whose runner is lost).
    func prune(nowMilliseconds: Int64, maxAgeSeconds: Int64, maxCount: Int, isRunning: (JobRecord) -> Bool)
}

extension JobStore {
    /// The newest jobs first, whoever they are for (see ``list(limit:before:matching:)``).
    public func list(limit: Int, before: String?) -> [JobRecord] {
        list(limit: limit, before: before) { _ in true }
    }
}
