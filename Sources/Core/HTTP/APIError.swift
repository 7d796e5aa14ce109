/// Everything a client can get wrong, or that can fail on its behalf, in one type.
///
/// ``response`` is the single place where an error becomes a status code, headers and a JSON body
/// of the shape `{"error": "...", "detail": "..."}` (detail only where there is one); every other
/// error says which of these it is (``HTTPResponseError``).
public enum APIError: Error, Equatable, Sendable {
    /// Missing, malformed or wrong bearer token.
    case unauthorized
    /// The body is not acceptable; the message names what is wrong.
    case invalidRequest(String)
    /// `stream: true` was asked for.
    case streamingNotSupported
    /// The body is larger than the configured limit.
    case bodyTooLarge(limit: Int)
    /// The body is not declared as JSON.
    case unsupportedMediaType(String)
    /// No route for this path.
    case notFound(path: String)
    /// `GET /v1/models/{id}` for a model the agent map does not list.
    case modelNotFound(id: String)
    /// A stored response that is not here (never stored, expired, deleted, or `store: false`);
    /// `param` names the request field that named it, if one did.
    case responseNotFound(id: String, param: String?)
    /// A route that is there so that its clients get a clear answer, but that this service cannot
    /// answer truthfully (`POST /v1/messages/count_tokens`); the detail says why.
    case unavailable(detail: String)
    /// The path exists but not for this method.
    case methodNotAllowed(allowed: [String])
    /// Another run holds the run lock (chat: 503, OpenAI clients have no job to come back to).
    case busy(retryAfterSeconds: Int)
    /// Another run holds the run lock (`/execute`: 409).
    case jobBusy(retryAfterSeconds: Int)
    /// The job cannot be cancelled: it has finished.
    case jobFinished(status: String)
    /// The claude run failed; the detail is one clean line.
    case executionFailed(detail: String)
    /// Something on our side failed (e.g. the lock file cannot be opened).
    case internalFailure(detail: String)
    /// The caller's key does not allow this (a model it may not use, `/execute` without leave).
    case forbidden(String)
    /// The caller has spent its cap; the detail says which cap, what was spent, the limit and when it
    /// resets. Nothing ran.
    case overQuota(detail: String)
    /// The caller started its most runs of a minute; nothing ran.
    case rateLimited(retryAfterSeconds: Int, detail: String)
    /// An `Idempotency-Key` sent again with another body.
    case resendConflict(key: String)
    /// A file of the state directory cannot be written (full disk, read-only); the detail names the
    /// file and the error. Nothing ran.
    case stateUnwritable(detail: String)

    /// A busy answer: the run lock was held, nothing ran. A fleet's nginx asks for another status for
    /// these (``HTTPRequest/busyStatus``).
    public var isBusy: Bool {
        switch self {
        case .busy, .jobBusy: true
        default: false
        }
    }

    /// The HTTP status for this error.
    public var status: Int {
        switch self {
        case .unauthorized: 401
        case .invalidRequest, .streamingNotSupported: 400
        case .bodyTooLarge: 413
        case .unsupportedMediaType: 415
        case .notFound, .modelNotFound, .responseNotFound, .unavailable: 404
        case .methodNotAllowed: 405
        case .forbidden: 403
        case .jobBusy, .jobFinished, .resendConflict: 409
        case .overQuota, .rateLimited: 429
        case .busy, .executionFailed, .stateUnwritable: 503
        case .internalFailure: 500
        }
    }

    /// The `error` and optional `detail` strings of the JSON body.
    public var message: (error: String, detail: String?) {
        switch self {
        case .unauthorized: ("unauthorized", nil)
        case .invalidRequest(let message): (message, nil)
        case .streamingNotSupported: ("streaming not supported", nil)
        case .bodyTooLarge(let limit): ("request body too large", "the limit is \(limit) bytes")
        case .unsupportedMediaType(let type): ("unsupported content type", "expected application/json, got \(type)")
        case .notFound(let path): ("not found", "no route for \(path)")
        case .modelNotFound(let id): ("model not found", "no model named \(id)")
        case .responseNotFound(let id, _): ("response not found", "no stored response with id '\(id)'")
        case .unavailable(let detail): ("not available", detail)
        case .methodNotAllowed(let allowed): ("method not allowed", "allowed: \(allowed.joined(separator: ", "))")
        case .busy: ("execution failed", "busy: another run is in progress")
        case .jobBusy: ("busy", "another run is in progress")
        case .jobFinished(let status): ("job already finished", "status: \(status)")
        case .executionFailed(let detail): ("execution failed", detail)
        case .internalFailure(let detail): ("internal error", detail)
        case .forbidden(let detail): ("forbidden", detail)
        case .overQuota(let detail): ("spend cap reached", detail)
        case .rateLimited(_, let detail): ("rate limit reached", detail)
        case .resendConflict(let key): ("idempotency key reused", "Idempotency-Key '\(key)' was sent before with another body")
        case .stateUnwritable(let detail): ("state not writable", detail)
        }
    }

    /// The error and its detail in one line (`execution failed: busy: …`): the `message` of OpenAI's
    /// shapes, whose clients show nothing else.
    public var text: String {
        let (error, detail) = message
        return detail.map { "\(error): \($0)" } ?? error
    }

    /// OpenAI's error `type`: `server_error` for ours and for busy, OpenAI's own for a cap or a rate,
    /// `invalid_request_error` for the rest.
    public var openAIType: String {
        switch self {
        case .overQuota: "insufficient_quota"
        case .rateLimited: "requests"
        default: status >= 500 || isBusy ? "server_error" : "invalid_request_error"
        }
    }

    /// The `message` and `type` of the error event that ends a stream this error broke off, in the
    /// form OpenAI's streams use (`{"error":{"message","type"}}`).
    public var streamError: (message: String, type: String) { (text, openAIType) }

    /// The complete HTTP response for this error, in the service's own shape.
    public var response: HTTPResponse { response(in: .service) }

    /// The complete HTTP response for this error, its body in `shape`.
    public func response(in shape: ErrorShape) -> HTTPResponse {
        var headers: [(name: String, value: String)] = []
        switch self {
        case .unauthorized:
            // Claude Code sends a refused key again ten times over minutes unless told not to.
            headers += [("WWW-Authenticate", "Bearer"), ("x-should-retry", "false")]
        case .methodNotAllowed(let allowed):
            headers.append(("Allow", allowed.joined(separator: ", ")))
        case .busy(let seconds), .jobBusy(let seconds), .rateLimited(let seconds, _):
            headers.append(("Retry-After", String(seconds)))
        case .executionFailed, .internalFailure, .overQuota:
            // The official clients retry 5xx POSTs twice (and 429s): a failed paid run must not start
            // again, and a spent cap is not over in seconds.
            headers.append(("x-should-retry", "false"))
        default:
            break
        }
        return .json(status: shape.status(for: self), body: shape.body(for: self), extraHeaders: headers)
    }
}
