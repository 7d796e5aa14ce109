/// Settings of the request path that are not about the claude process itself.
public struct ServiceConfiguration: Sendable {
    public var token: String
    public var agentMap: AgentMap
    /// Seconds in `Retry-After` of a busy 503.
    public var retryAfterSeconds: Int
    /// Bodies larger than this get 413.
    public var maxBodyBytes: Int

    public init(token: String, agentMap: AgentMap, retryAfterSeconds: Int = 10, maxBodyBytes: Int = ServiceConfiguration.defaultMaxBodyBytes) {
        self.token = token
        self.agentMap = agentMap
        self.retryAfterSeconds = retryAfterSeconds
        self.maxBodyBytes = maxBodyBytes
    }

    public static let defaultMaxBodyBytes = 4 << 20
}

/// What a request did about a run, for the request log.
public struct RunNote: Sendable, Equatable {
    /// The run's outcome (`ok`, `failed`, `timed_out`, `cancelled`, `job_started`), `busy` when the lock
    /// was held, `nil` when no run was attempted.
    public var outcome: String?
    /// The run's request id (a job's id), as in the audit log.
    public var requestID: String?
}

/// A response and what it did, for the request log.
public struct HandledRequest: Sendable {
    public var response: HTTPResponse
    public var run: RunNote

    /// The run's outcome (see ``RunNote/outcome``).
    public var runOutcome: String? { run.outcome }
}

/// Turns one HTTP request into one HTTP response: routing, then each endpoint's small named steps.
public struct Service: Sendable {
    let configuration: ServiceConfiguration
    let auth: BearerAuth
    let lock: any RunLock
    let runner: any ClaudeRunning
    let clock: any WallClock
    let ids: any IDGenerator
    let execute: ExecuteEndpoint?
    /// The answers most requests get while a run goes on or without a token, encoded once.
    let unauthorizedResponse: HTTPResponse
    let busyResponse: HTTPResponse

    /// - Parameter execute: the `/execute` job API; `nil` leaves it out (404).
    public init(configuration: ServiceConfiguration, lock: any RunLock, runner: any ClaudeRunning, execute: ExecuteEndpoint? = nil,
                clock: any WallClock = SystemWallClock(), ids: any IDGenerator = RandomIDGenerator()) {
        self.configuration = configuration
        self.auth = BearerAuth(token: configuration.token)
        self.lock = lock
        self.runner = runner
        self.execute = execute
        self.clock = clock
        self.ids = ids
        unauthorizedResponse = APIError.unauthorized.response
        busyResponse = APIError.busy(retryAfterSeconds: configuration.retryAfterSeconds).response
    }

    public func handle(_ request: HTTPRequest) -> HandledRequest {
        var note = RunNote()
        do {
            let response = try route(request, note: &note)
            return HandledRequest(response: response, run: note)
        } catch {
            let response: HTTPResponse
            switch error {
            case .unauthorized: response = unauthorizedResponse
            case .busy(configuration.retryAfterSeconds): response = busyResponse
            default: response = error.response
            }
            return HandledRequest(response: response, run: note)
        }
    }

    func route(_ request: HTTPRequest, note: inout RunNote) throws(APIError) -> HTTPResponse {
        switch request.path {
        case "/healthz":
            guard request.method == "GET" || request.method == "HEAD" else { throw .methodNotAllowed(allowed: ["GET", "HEAD"]) }
            return .json(status: 200, body: Array(#"{"status":"ok"}"#.utf8))
        case "/v1/chat/completions":
            guard request.method == "POST" else { throw .methodNotAllowed(allowed: ["POST"]) }
            return try chatCompletion(request, note: &note)
        case "/execute" where execute != nil:
            guard let execute, ["GET", "POST"].contains(request.method) else { throw .methodNotAllowed(allowed: ["GET", "POST"]) }
            try auth.check(authorizationHeader: request.header("authorization"))
            if request.method == "GET" { return try execute.list(request, service: self) }
            try checkBody(request)
            return try execute.submit(request, service: self, note: &note)
        case let path where execute != nil && path.hasPrefix("/execute/"):
            guard let execute, ["GET", "DELETE"].contains(request.method) else { throw .methodNotAllowed(allowed: ["GET", "DELETE"]) }
            try auth.check(authorizationHeader: request.header("authorization"))
            let id = String(path.dropFirst("/execute/".count))
            guard JobID.isValid(id) else { throw .notFound(path: String(path.prefix(200))) }
            return request.method == "GET" ? try execute.show(id, service: self) : try execute.cancel(id, service: self)
        default:
            throw .notFound(path: String(request.path.prefix(200)))
        }
    }

    /// POST /v1/chat/completions: auth before the body is looked at, body checks, the lock (busy answered
    /// at once), then decode, prompt and run.
    func chatCompletion(_ request: HTTPRequest, note: inout RunNote) throws(APIError) -> HTTPResponse {
        try auth.check(authorizationHeader: request.header("authorization"))
        try checkBody(request)
        // Busy is answered before the body is decoded: that answer is the one every request gets while a
        // run goes on, so it is kept cheap; a bad body still gets its 400 once the run is over.
        guard let held = try lock.tryAcquire() else {
            note.outcome = "busy"
            throw .busy(retryAfterSeconds: configuration.retryAfterSeconds)
        }
        defer { held.release() }
        let chat = try ChatCompletionDecoder.decode(request.body)
        let prompt = try PromptBuilder.prompt(for: chat.messages)
        let invocation = ClaudeInvocation(
            requestID: ids.next(), model: chat.model, prompt: prompt, agent: configuration.agentMap.agent(forModel: chat.model))
        note.requestID = invocation.requestID
        let result = runner.run(invocation, lock: held, cancelOn: request.connectionDescriptor)
        note.outcome = result.name

        switch result {
        case .succeeded(let text, let report):
            let envelope = ChatCompletionResponse(
                id: invocation.requestID, created: clock.secondsSinceEpoch(), model: chat.model, text: text, usage: report.usage)
            return .json(status: 200, body: envelope.body)
        case .failed(let detail, _), .timedOut(let detail, _):
            throw .executionFailed(detail: detail)
        case .cancelled:
            // Nobody reads this answer: the client is gone.
            throw .executionFailed(detail: "cancelled: the client closed the connection")
        }
    }

    /// Size and media type: the body must fit the limit and, when a type is declared, be JSON.
    func checkBody(_ request: HTTPRequest) throws(APIError) {
        if request.body.count > configuration.maxBodyBytes {
            throw .bodyTooLarge(limit: configuration.maxBodyBytes)
        }
        if let type = request.header("content-type"), type != "application/json" {
            let mediaType = type.split(separator: ";", maxSplits: 1).first.map { Substring($0).trimmingWhitespace().lowercased() } ?? ""
            guard mediaType == "application/json" else {
                throw .unsupportedMediaType(String(OneLine.clean(type, limit: 100)))
            }
        }
    }
}
