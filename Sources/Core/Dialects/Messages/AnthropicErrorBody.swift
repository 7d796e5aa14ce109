/// An error in the shape Anthropic's API answers with, `{"type": "error", "error": {"type", "message"}}`:
/// what the Messages API answers, its stream's `error` event included. The message holds the whole
/// text (the service shape's error and detail).
struct AnthropicErrorBody: Equatable {
    var type: String
    var message: String

    /// The status of a busy answer: Anthropic's "overloaded", which its SDKs and Claude Code retry.
    static let overloadedStatus = 529

    init(_ error: APIError) {
        type = Self.type(of: error)
        message = error.text
    }

    /// The API's error type for each of ours.
    static func type(of error: APIError) -> String {
        switch error {
        case .unauthorized: "authentication_error"
        case .bodyTooLarge: "request_too_large"
        case .notFound, .modelNotFound, .responseNotFound, .unavailable: "not_found_error"
        case .busy, .jobBusy: "overloaded_error"
        case .executionFailed, .internalFailure, .stateUnwritable: "api_error"
        case .forbidden: "permission_error"
        case .overQuota, .rateLimited: "rate_limit_error"
        case .invalidRequest, .streamingNotSupported, .unsupportedMediaType, .methodNotAllowed, .jobFinished, .resendConflict: "invalid_request_error"
        }
    }

    /// The error object, as the body and the stream's `error` event hold it.
    var value: JSONValue {
        .object(["type": .string("error"), "error": .object(["type": .string(type), "message": .string(message)])])
    }

    var json: [UInt8] {
        var bytes: [UInt8] = []
        value.append(to: &bytes)
        return bytes
    }
}
