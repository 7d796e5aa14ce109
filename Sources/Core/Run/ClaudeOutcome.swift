/// How one claude run ended.
public enum ClaudeOutcome: Sendable, Equatable {
    /// The assistant's text.
    case succeeded(text: String, report: ClaudeReport)
    /// Failed; `detail` is one clean line for the client.
    case failed(detail: String, report: ClaudeReport?)
    /// Stopped by the timeout.
    case timedOut(detail: String, report: ClaudeReport?)
    /// Stopped because its requester went away (client hang-up, worker gone, job cancelled).
    case cancelled(report: ClaudeReport?)

    /// The outcome's name in logs and the audit log.
    public var name: String {
        switch self {
        case .succeeded: "ok"
        case .failed: "failed"
        case .timedOut: "timed_out"
        case .cancelled: "cancelled"
        }
    }

    /// What the CLI reported, where it reported anything.
    public var report: ClaudeReport? {
        switch self {
        case .succeeded(_, let report): report
        case .failed(_, let report), .timedOut(_, let report), .cancelled(let report): report
        }
    }
}
