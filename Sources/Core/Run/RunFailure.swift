/// A run that ended without an answer, on its way to its client's answer (``HTTPResponseError``).
public enum RunFailure: Error, Equatable, Sendable {
    /// The run failed or timed out; `detail` is one clean line.
    case ended(detail: String)
    /// The run was cancelled because its client hung up: nobody reads this answer.
    case cancelled
    /// The CLI refused the request's output schema before running: the client's mistake.
    case schemaRefused(message: String)

    /// How the CLI begins its refusal of a schema it cannot use (`Error: --json-schema is not valid JSON: …`,
    /// `… is not a valid JSON Schema: …`); a CLI that does not know the option says otherwise.
    static let schemaRefusal = "--json-schema is not"
}

extension RunFailure: HTTPResponseError {
    public var apiError: APIError {
        switch self {
        case .ended(let detail): .executionFailed(detail: detail)
        case .cancelled: .executionFailed(detail: "cancelled: the client closed the connection")
        case .schemaRefused(let message): .invalidRequest("the output schema was refused by claude: " + message)
        }
    }
}

extension ClaudeOutcome {
    /// The answer's text and what the CLI reported, or the failure its client is answered.
    /// - Parameter hadSchema: the run was given the client's `--json-schema`.
    public func answer(hadSchema: Bool) throws(RunFailure) -> (text: String, report: ClaudeReport) {
        switch self {
        case .succeeded(let text, let report):
            return (text, report)
        case .cancelled:
            throw .cancelled
        case .refused(let message, _) where hadSchema:
            // The CLI refuses every argument the same way (exit 1, nothing on stdout, one stderr line) and
            // names the argument only in words: its message is all there is to tell a refused schema
            // from a refused agent (the operator's mistake, not the client's).
            guard let option = message.firstRange(of: RunFailure.schemaRefusal) else { fallthrough }
            throw .schemaRefused(message: String(message[option.lowerBound...]))
        case .failed, .refused, .timedOut:
            throw .ended(detail: failureDetail ?? "")
        }
    }
}
