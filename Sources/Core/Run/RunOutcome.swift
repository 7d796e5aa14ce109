/// How a run ended, as the audit log, the metrics, the request log and a job's status name it. Every
/// word for a run's end is defined here.
public enum RunOutcome: CaseIterable, Sendable, Hashable {
    case succeeded, failed, timedOut, cancelled

    /// The word in the audit log, the `outcome` label of `claude_fcgi_runs_total` and the request log.
    public var word: String {
        switch self {
        case .succeeded: "ok"
        case .failed: "failed"
        case .timedOut: "timed_out"
        case .cancelled: "cancelled"
        }
    }

    /// The word in a job's `status` once it has ended: the audit word, but `succeeded` for a success.
    public var jobStatusWord: String {
        self == .succeeded ? "succeeded" : word
    }
}
