/// What a request did about a run, for the request log.
public struct RunNote: Sendable, Equatable {
    /// The run's outcome (`ok`, `failed`, `timed_out`, `cancelled`, `job_started`), `busy` when the lock
    /// was held, `nil` when no run was attempted.
    public var outcome: String?
    /// The run's request id (a job's id), as in the audit log.
    public var requestID: String?
}
