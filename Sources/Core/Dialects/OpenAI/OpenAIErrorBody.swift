/// An error in the shape OpenAI's APIs answer with, `{"error": {"message", "type", "param", "code"}}`:
/// what the Responses API always answers and chat completions answers with `--chat-errors openai`.
/// Clients show `error.message`, so it holds the whole text (the service shape's error and detail).
struct OpenAIErrorBody: Equatable {
    struct Fields: Equatable {
        var message: String
        var type: String
        /// The request field at fault, where one is known; `null` otherwise (written, as OpenAI does).
        var param: String?
        var code: String?
    }

    var error: Fields

    init(_ apiError: APIError) {
        error = Fields(message: apiError.text, type: apiError.openAIType, param: Self.param(of: apiError), code: Self.code(of: apiError))
    }

    /// The body, its members in OpenAI's order (`message`, `type`, `param`, `code`).
    var json: [UInt8] {
        let value = JSONValue.object(["error": .object([
            "message": .string(error.message), "type": .string(error.type),
            "param": error.param.map { .string($0) } ?? .null, "code": error.code.map { .string($0) } ?? .null,
        ])])
        var bytes: [UInt8] = []
        value.append(to: &bytes)
        return bytes
    }

    static func code(of error: APIError) -> String? {
        switch error {
        case .unauthorized: "invalid_api_key"
        case .bodyTooLarge: "request_too_large"
        case .notFound: "not_found"
        case .unavailable: "not_available"
        case .modelNotFound: "model_not_found"
        case .responseNotFound(_, let param): param == "previous_response_id" ? "previous_response_not_found" : "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .busy, .jobBusy: "busy"
        case .executionFailed: "execution_failed"
        case .internalFailure: "internal_error"
        case .forbidden: "permission_denied"
        case .overQuota: "insufficient_quota"
        case .rateLimited: "rate_limit_exceeded"
        case .resendConflict: "idempotency_key_reused"
        case .stateUnwritable: "state_unwritable"
        case .invalidRequest, .streamingNotSupported, .unsupportedMediaType, .jobFinished: nil
        }
    }

    /// The field a 400 names: its message begins with the field's path (`text.format.type must be …`), whose
    /// schema property names may hold capitals and `-`.
    static func param(of error: APIError) -> String? {
        switch error {
        case .responseNotFound(_, let param): return param
        case .streamingNotSupported: return "stream"
        case .invalidRequest(let message):
            guard let first = message.split(separator: " ", maxSplits: 1).first, let head = first.unicodeScalars.first,
                  ("a"..."z").contains(head), !notFields.contains(String(first)),
                  first.unicodeScalars.allSatisfy({
                      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_-.[]".unicodeScalars.contains($0)
                  })
            else { return nil }
            return String(first)
        default: return nil
        }
    }

    /// First words of messages that are not a field.
    static let notFields: Set<String> = ["request", "the", "a", "an", "unknown", "only"]
}
