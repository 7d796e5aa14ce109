/// The JSON an error answer's body has: each route answers in its dialect's shape (``Route/errorShape``);
/// status and headers are the same in every shape (``APIError/response(in:)``).
public enum ErrorShape: String, Sendable, CaseIterable {
    /// The original service's `{"error": "…", "detail": "…"}` (detail only where there is one).
    case service
    /// OpenAI's `{"error": {"message", "type", "param", "code"}}` (``OpenAIErrorBody``).
    case openAI = "openai"

    /// The body of `error`'s answer.
    func body(for error: APIError) -> [UInt8] {
        switch self {
        case .service:
            let (text, detail) = error.message
            return JSONBody.error(text, detail: detail)
        case .openAI:
            return OpenAIErrorBody(error).json
        }
    }
}
