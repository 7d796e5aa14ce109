/// What a run's supervisor tells the worker waiting for it, in order: `started`, any number of text
/// deltas, then one `result` or `failure`. The bytes are claude's own: the text is never re-encoded
/// on the way.
public enum RunEvent: Sendable, Equatable {
    /// How a run that did not succeed ended.
    public enum Failure: UInt8, Sendable {
        case failed = 1, timedOut, cancelled, refused
    }

    /// The run has begun (a job's record is written).
    case started
    /// A piece of the answer's text as it is written, as the client may see it (``StreamedText``):
    /// UTF-8, whole characters.
    case textDelta([UInt8])
    /// The run succeeded: the answer's text and what the CLI reported. It travels as its UTF-8 bytes.
    case result(text: String, report: ClaudeReport)
    /// The run did not succeed; `detail` is one clean line for the client.
    case failure(Failure, detail: String, report: ClaudeReport?)

    /// The final event of an outcome.
    public init(_ outcome: ClaudeOutcome) {
        switch outcome {
        case .succeeded(let text, let report): self = .result(text: text, report: report)
        case .failed(let detail, let report): self = .failure(.failed, detail: detail, report: report)
        case .refused(let message, let report): self = .failure(.refused, detail: message, report: report)
        case .timedOut(let detail, let report): self = .failure(.timedOut, detail: detail, report: report)
        case .cancelled(let report): self = .failure(.cancelled, detail: outcome.failureDetail ?? "", report: report)
        }
    }

    /// The outcome a final event stands for; `nil` for `started` and text deltas.
    public var outcome: ClaudeOutcome? {
        switch self {
        case .started, .textDelta: nil
        case .result(let text, let report): .succeeded(text: text, report: report)
        case .failure(.failed, let detail, let report): .failed(detail: detail, report: report)
        case .failure(.refused, let message, let report): .refused(message: message, report: report)
        case .failure(.timedOut, let detail, let report): .timedOut(detail: detail, report: report)
        case .failure(.cancelled, _, let report): .cancelled(report: report)
        }
    }
}
