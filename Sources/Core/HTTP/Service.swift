/// Turns one HTTP request into one HTTP response: finds the route, checks the token and the body where
/// the route needs them, and hands the request to its endpoint. Every error becomes its answer here.
public struct Service: Sendable {
    let auth: BearerAuth
    let body: BodyRules
    let chat: ChatEndpoint
    let models: ModelsEndpoint
    /// The `/execute` job API; `nil` leaves it out (404).
    let execute: ExecuteEndpoint?
    /// `GET /metrics`; `nil` leaves it out (404).
    let metrics: MetricsEndpoint?
    /// Where each answered request is counted; `nil` counts nothing.
    let counters: (any CounterStore)?
    /// The answers most requests get while a run goes on or without a token, encoded once.
    let unauthorizedResponse: HTTPResponse
    let busyResponse: HTTPResponse
    let busy: APIError

    public init(auth: BearerAuth, body: BodyRules, chat: ChatEndpoint, models: ModelsEndpoint, execute: ExecuteEndpoint? = nil,
                metrics: MetricsEndpoint? = nil, counters: (any CounterStore)? = nil) {
        self.auth = auth
        self.body = body
        self.chat = chat
        self.models = models
        self.execute = execute
        self.metrics = metrics
        self.counters = counters
        unauthorizedResponse = APIError.unauthorized.response
        busy = APIError.busy(retryAfterSeconds: chat.gate.retryAfterSeconds)
        busyResponse = busy.response
    }

    /// - Parameter live: where a streamed answer is written as it is produced; without one, a streamed
    ///   answer is collected and answered whole.
    public func handle(_ request: HTTPRequest, streamingTo live: ResponseStream? = nil) -> HandledRequest {
        var handled = answer(request, live: live)
        handled.sent = live?.hasBegun ?? false
        if handled.run.outcome == "busy", let status = request.busyStatus {
            handled.response.status = status
        }
        if let counters {
            RequestMetrics.count(route: RequestMetrics.route(of: request.path), status: handled.response.status,
                                 busy: handled.run.outcome == "busy", in: counters)
        }
        return handled
    }

    func answer(_ request: HTTPRequest, live: ResponseStream?) -> HandledRequest {
        var note = RunNote()
        do {
            return HandledRequest(response: try route(request, note: &note, live: live), run: note)
        } catch {
            let apiError = APIError(error)
            let response = apiError == .unauthorized ? unauthorizedResponse : apiError == busy ? busyResponse : apiError.response
            return HandledRequest(response: response, run: note)
        }
    }

    func route(_ request: HTTPRequest, note: inout RunNote, live: ResponseStream?) throws -> HTTPResponse {
        switch request.path {
        case "/healthz":
            try allow(request, ["GET", "HEAD"])
            return .json(status: 200, body: Array(#"{"status":"ok"}"#.utf8))
        case "/metrics" where metrics != nil:
            guard let metrics else { break }
            try allow(request, ["GET", "HEAD"])
            return metrics.scrape()
        case "/v1/chat/completions":
            try allow(request, ["POST"])
            try auth.check(authorizationHeader: request.header("authorization"))
            try body.check(request)
            return try chat.complete(request, note: &note, live: live)
        case "/v1/models":
            try allow(request, ["GET", "HEAD"])
            try auth.check(authorizationHeader: request.header("authorization"))
            return models.list()
        case let path where path.hasPrefix("/v1/models/"):
            try allow(request, ["GET", "HEAD"])
            try auth.check(authorizationHeader: request.header("authorization"))
            return try models.retrieve(String(path.dropFirst("/v1/models/".count)))
        case "/execute" where execute != nil:
            guard let execute else { break }
            try allow(request, ["GET", "POST"])
            try auth.check(authorizationHeader: request.header("authorization"))
            if request.method == "GET" { return try execute.list(request) }
            try body.check(request)
            return try execute.submit(request, note: &note)
        case let path where execute != nil && path.hasPrefix("/execute/"):
            guard let execute else { break }
            try allow(request, ["GET", "DELETE"])
            try auth.check(authorizationHeader: request.header("authorization"))
            let id = String(path.dropFirst("/execute/".count))
            guard JobID.isValid(id) else { throw APIError.notFound(path: String(path.prefix(200))) }
            return request.method == "GET" ? try execute.show(id) : try execute.cancel(id)
        default:
            break
        }
        throw APIError.notFound(path: String(request.path.prefix(200)))
    }

    private func allow(_ request: HTTPRequest, _ methods: [String]) throws(APIError) {
        guard methods.contains(request.method) else { throw .methodNotAllowed(allowed: methods) }
    }
}
