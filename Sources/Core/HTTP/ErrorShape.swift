/// The JSON an error answer's body has: each route answers in its dialect's shape (``Route/errorShape``);
/// status and headers are the same in every shape (``APIError/response(in:)``).
public enum ErrorShape: String, Sendable, CaseIterable {
    /// The original service's `{"error": "…", "detail": "…"}` (detail only where there is one); a spent
    /// cap and a rate reached are OpenAI's shape here too.
    case service
    /// OpenAI's `{"error": {"message", "type", "param", "code"}}` (``OpenAIErrorBody``).
    case openAI = "openai"
    /// Anthropic's `{"type": "error", "error": {"type", "message"}}` (``AnthropicErrorBody``).
    case anthropic

    /// The status of `error`'s answer: the error's own, but busy is Anthropic's `529 overloaded_error`
    /// in its shape (the status its clients retry as "try again shortly"; 429 would say the caller
    /// went over a limit of its own).
    func status(for error: APIError) -> Int {
        self == .anthropic && error.isBusy ? AnthropicErrorBody.overloadedStatus : error.status
    }

    /// The body of `error`'s answer.
    func body(for error: APIError) -> [UInt8] {
        switch self {
        case .service:
            // A cap or a rate is OpenAI's own error (`insufficient_quota`, `rate_limit_exceeded`), which the
            // SDKs and chat front ends act on; the original service had neither.
            if case .overQuota = error { return OpenAIErrorBody(error).json }
            if case .rateLimited = error { return OpenAIErrorBody(error).json }
            let (text, detail) = error.message
            return JSONBody.error(text, detail: detail)
        case .openAI:
            return OpenAIErrorBody(error).json
        case .anthropic:
            return AnthropicErrorBody(error).json
        }
    }
}
