/// How one claude run ended.
public enum ClaudeOutcome: Sendable, Equatable {
    /// The assistant's text.
    case succeeded(text: String, report: ClaudeReport)
    /// Failed; `detail` is one clean line for the client.
    case failed(detail: String, report: ClaudeReport?)
    /// The CLI refused its arguments before running anything: exit 1, nothing on stdout, `message` (its
    /// one stderr line) on stderr. That is how it refuses an unknown option or agent and a
    /// `--json-schema` it cannot use.
    case refused(message: String, report: ClaudeReport?)
    /// Stopped by the timeout.
    case timedOut(detail: String, report: ClaudeReport?)
    /// Stopped because its requester went away (client hang-up, worker gone, job cancelled).
    case cancelled(report: ClaudeReport?)

    /// How the run ended, in the words every record of it uses.
    public var kind: RunOutcome {
        switch self {
        case .succeeded: .succeeded
        case .failed, .refused: .failed
        case .timedOut: .timedOut
        case .cancelled: .cancelled
        }
    }

    /// What the CLI reported, where it reported anything.
    public var report: ClaudeReport? {
        switch self {
        case .succeeded(_, let report): report
        case .failed(_, let report), .refused(_, let report), .timedOut(_, let report), .cancelled(let report): report
        }
    }

    /// Why the run gave no answer, in one clean line; `nil` for a success.
    public var failureDetail: String? {
        switch self {
        case .succeeded: nil
        case .failed(let detail, _), .timedOut(let detail, _): detail
        case .refused(let message, _): OneLine.clean("claude exited with code 1: \(message)")
        case .cancelled: RunOutcome.cancelled.word
        }
    }
}
