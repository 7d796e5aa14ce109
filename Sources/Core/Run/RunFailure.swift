/// A run that ended without an answer, on its way to its client's answer (``HTTPResponseError``).
public enum RunFailure: Error, Equatable, Sendable {
    /// The run failed or timed out; `detail` is one clean line.
    case ended(detail: String)
    /// The run was cancelled: its client hung up (nobody reads this answer) or its worker is stopping.
    case cancelled(detail: String)
    /// The CLI refused the request's output schema before running: the client's mistake.
    case schemaRefused(message: String)

    /// The failure of an outcome; `nil` for a success.
    /// - Parameter hadSchema: the run was given the client's `--json-schema`.
    public init?(_ outcome: ClaudeOutcome, hadSchema: Bool) {
        switch outcome {
        case .succeeded:
            return nil
        case .refused(let message, _) where hadSchema && message.contains(Self.schemaOption):
            // The CLI refuses every argument the same way (exit 1, nothing on stdout, one stderr line) and
            // names the argument only in words: its message is all there is to tell a refused schema from
            // a refused agent (the operator's).
            let refusal = message[(message.firstRange(of: Self.schemaOption)?.lowerBound ?? message.startIndex)...]
            self = .schemaRefused(message: String(refusal))
        case .cancelled:
            self = .cancelled(detail: "cancelled: the client closed the connection")
        case .failed, .refused, .timedOut:
            self = .ended(detail: outcome.failureDetail ?? "")
        }
    }

    static let schemaOption = "--json-schema"
}

extension RunFailure: HTTPResponseError {
    public var apiError: APIError {
        switch self {
        case .ended(let detail), .cancelled(let detail): .executionFailed(detail: detail)
        case .schemaRefused(let message): .invalidRequest("the output schema was refused by claude: " + message)
        }
    }
}

extension ClaudeOutcome {
    /// The answer's text and what the CLI reported, or the failure its client is answered.
    public func answer(hadSchema: Bool) throws(RunFailure) -> (text: String, report: ClaudeReport) {
        if case .succeeded(let text, let report) = self { return (text, report) }
        throw RunFailure(self, hadSchema: hadSchema) ?? .ended(detail: "")
    }
}
