/// Turns one HTTP request into one HTTP response: finds the route in the table, checks the method, the
/// token and (for a POST) the body, and hands the request to the route's handler. Every error thrown on
/// the way becomes its answer here, and nowhere else (``HTTPResponseError``).
public struct Service: Sendable {
    let auth: CallerAuth
    /// Answers re-sent requests without a second run; `nil`: every request runs.
    let resend: ResendGuard?
    let body: BodyRules
    /// The route table, in the order paths are matched.
    public let routes: [Route]
    /// Where each answered request is counted; `nil` counts nothing.
    let counters: (any CounterStore)?
    /// The answers most requests get while a run goes on or without a token, encoded once.
    let unauthorizedResponse: HTTPResponse
    let busyResponse: HTTPResponse
    let busy: APIError

    /// - Parameters:
    ///   - auth: the single token's check.
    ///   - keys: the callers' keys beside the token; `nil`: the token alone.
    public init(auth: BearerAuth, keys: KeyRing? = nil, resend: ResendGuard? = nil, body: BodyRules, chat: ChatEndpoint, models: ModelsEndpoint,
                responses: ResponsesEndpoint? = nil, messages: MessagesEndpoint? = nil, execute: ExecuteEndpoint? = nil, metrics: MetricsEndpoint? = nil,
                counters: (any CounterStore)? = nil) {
        self.auth = CallerAuth(token: auth, keys: keys)
        self.resend = resend
        self.body = body
        self.counters = counters
        routes = Self.table(chat: chat, models: models, responses: responses, messages: messages, execute: execute, metrics: metrics)
        unauthorizedResponse = APIError.unauthorized.response
        busy = APIError.busy(retryAfterSeconds: chat.gate.retryAfterSeconds)
        busyResponse = busy.response
    }

    /// Every route: each declared once, here. `/v1/responses`, `/v1/messages`, `/execute` and `/metrics`
    /// are left out when off (404).
    static func table(chat: ChatEndpoint, models: ModelsEndpoint, responses: ResponsesEndpoint?, messages: MessagesEndpoint?, execute: ExecuteEndpoint?,
                      metrics: MetricsEndpoint?) -> [Route] {
        var routes = [
            Route("/healthz", methods: ["GET", "HEAD"], needsToken: false) { _, _, _, _ in
                .json(status: 200, body: Array(#"{"status":"ok"}"#.utf8))
            },
            Route("/v1/chat/completions", methods: ["POST"], errorShape: chat.errorShape, carriesImages: true, runs: true) { request, _, note, live in
                try chat.complete(request, note: &note, live: live)
            },
            Route("/v1/models", methods: ["GET", "HEAD"]) { _, _, _, _ in models.list() },
            Route("/v1/models/{id}", methods: ["GET", "HEAD"]) { _, id, _, _ in try models.retrieve(id) },
        ]
        if let responses {
            routes.append(Route(ResponsesEndpoint.collectionPattern, methods: ["POST"], errorShape: .openAI, carriesImages: true, runs: true) { request, _, note, live in
                try responses.create(request, note: &note, live: live)
            })
            // Before the one-response route, whose {id} would take "ID/cancel" as its id.
            routes.append(Route(ResponsesEndpoint.cancelPattern, methods: ["POST"], errorShape: .openAI) { request, id, _, _ in
                try responses.cancel(id, for: request.caller)
            })
            routes.append(Route(ResponsesEndpoint.responsePattern, methods: ["GET", "DELETE"], errorShape: .openAI) { request, id, _, _ in
                request.method == "GET" ? try responses.retrieve(id, for: request.caller) : try responses.delete(id, for: request.caller)
            })
        }
        if let messages {
            routes.append(Route(MessagesEndpoint.collectionPattern, methods: ["POST"], errorShape: .anthropic, carriesImages: true,
                                acceptsAPIKey: true, runs: true) { request, _, note, live in
                try messages.create(request, note: &note, live: live)
            })
            routes.append(Route(MessagesEndpoint.countTokensPattern, methods: ["POST"], errorShape: .anthropic, carriesImages: true,
                                acceptsAPIKey: true) { _, _, _, _ in
                try messages.countTokens()
            })
        }
        if let metrics {
            routes.append(Route("/metrics", methods: ["GET", "HEAD"], needsToken: false) { _, _, _, _ in metrics.scrape() })
        }
        if let execute {
            routes.append(Route(ExecuteEndpoint.collectionPattern, methods: ["GET", "POST"], runs: true) { request, _, note, _ in
                request.method == "GET" ? try execute.list(request) : try execute.submit(request, note: &note)
            })
            routes.append(Route(ExecuteEndpoint.jobPattern, methods: ["GET", "DELETE"]) { request, id, _, _ in
                guard JobID.isValid(id) else { throw APIError.notFound(path: String(request.path.prefix(200))) }
                return request.method == "GET" ? try execute.show(id, for: request.caller) : try execute.cancel(id, for: request.caller)
            })
        }
        return routes
    }

    /// - Parameter live: where a streamed answer is written as it is produced; without one, a streamed
    ///   answer is collected and answered whole.
    public func handle(_ request: HTTPRequest, streamingTo live: ResponseStream? = nil) -> HandledRequest {
        var route: Route?
        var id = ""
        for candidate in routes {
            if let match = candidate.match(request.path) { (route, id) = (candidate, match); break }
        }
        var request = request
        var handled: HandledRequest
        // The checks throw the API's own errors, typed: the answer most requests get (401) needs no box or cast.
        switch Result(catching: { () throws(APIError) -> Route in try admit(&request, to: route) }) {
        case .failure(let refusal):
            var note = RunNote()
            handled = HandledRequest(response: answer(refusal, to: request, in: route?.errorShape ?? .service, note: &note), run: note)
        case .success(let admitted):
            if admitted.runs, request.method == "POST", let resend {
                do {
                    handled = try resend.handle(request, live: live) { request, live in respond(request, by: admitted, id: id, live: live) }
                } catch {
                    var note = RunNote()
                    handled = HandledRequest(response: answer(error, to: request, in: admitted.errorShape, note: &note), run: note,
                                             sent: live?.hasBegun ?? false)
                }
            } else {
                handled = respond(request, by: admitted, id: id, live: live)
            }
            handled.run.caller = admitted.needsToken ? request.caller.name : nil
        }
        if let counters {
            RequestMetrics.count(route?.series ?? RequestMetrics.unmatched, status: handled.response.status, busy: handled.run.outcome == .busy,
                                 in: counters)
        }
        return handled
    }

    /// An admitted request's answer by its route's handler; an error it throws becomes its answer here.
    func respond(_ request: HTTPRequest, by route: Route, id: String, live: ResponseStream?) -> HandledRequest {
        var note = RunNote()
        let response: HTTPResponse
        do {
            response = try route.handler(request, id, &note, live)
        } catch {
            // The concrete cast first: cheaper than the protocol's, and the busy answer is one.
            response = answer(error as? APIError ?? APIError(answering: error), to: request, in: route.errorShape, note: &note)
        }
        return HandledRequest(response: response, run: note, sent: live?.hasBegun ?? false)
    }

    /// The most of a body worth reading for a request to `path`: its route's limit (the larger one for the
    /// routes that take images), so that no other route makes a worker hold the larger.
    public func bodyLimit(forPath path: String) -> Int {
        body.limit(carriesImages: routes.first { $0.match(path) != nil }?.carriesImages ?? false)
    }

    /// The checks before a route's handler: the route, its method, the token (which names the caller),
    /// a POST's body.
    func admit(_ request: inout HTTPRequest, to route: Route?) throws(APIError) -> Route {
        guard let route else { throw .notFound(path: String(request.path.prefix(200))) }
        guard route.methods.contains(request.method) else { throw .methodNotAllowed(allowed: route.methods) }
        if route.needsToken {
            request.caller = try auth.caller(authorizationHeader: request.header("authorization"),
                                             apiKey: route.acceptsAPIKey ? request.header("x-api-key") : nil)
        }
        if request.method == "POST" { try body.check(request, carriesImages: route.carriesImages) }
        return route
    }

    /// The error edge: the answer to any error thrown on a request path. A busy answer notes that the
    /// lock was held, and takes nginx's `BUSY_STATUS` where a fleet asks for one.
    func answer(_ apiError: APIError, to request: HTTPRequest, in shape: ErrorShape, note: inout RunNote) -> HTTPResponse {
        var response: HTTPResponse
        if shape == .service {
            response = apiError == .unauthorized ? unauthorizedResponse : apiError == busy ? busyResponse : apiError.response
        } else {
            response = apiError.response(in: shape)
        }
        if apiError.isBusy {
            note.outcome = .busy
            if let status = request.busyStatus { response.status = status }
        } else if request.busyStatus == response.status {
            // In a fleet a 429 is the busy signal that nginx passes to the next host. A spent cap and a
            // caller's rate are not busy and are the same on every host (they share the spend directory):
            // they go to the client as they are, a cap as a 403, a rate as a 503 with its Retry-After.
            switch apiError {
            case .overQuota: response.status = 403
            case .rateLimited: response.status = 503
            default: break
            }
        }
        return response
    }
}
