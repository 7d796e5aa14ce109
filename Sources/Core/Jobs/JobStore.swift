/// Where job records live.
public protocol JobStore: Sendable {
    func read(_ id: String) -> JobRecord?
    /// Replaces the record atomically.
    func write(_ record: JobRecord) throws(JobStoreError)
    /// The newest jobs first, at most `limit`, only those older than `before` when given.
    func list(limit: Int, before: String?) -> [JobRecord]
    /// Deletes finished records older than `maxAgeSeconds` and all but the newest `maxCount`.
    func prune(nowMilliseconds: Int64, maxAgeSeconds: Int64, maxCount: Int)
}
