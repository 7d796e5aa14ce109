import Testing
@testable import Core

/// What the conversation routes (chat completions, Responses, Messages) share and the others do not:
/// the larger body limit of requests that may carry images, and (Messages only) the token as `x-api-key`.
@Suite struct ConversationRoutesTests {
    let lock = FakeRunLock()
    let runner = FakeRunner(outcome: .succeeded(text: "ok", report: ClaudeReport()))
    let service: Service

    init() {
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs(), retryAfterSeconds: 7)
        let conversation = ConversationRunner(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil), runner: runner)
        let jobs = MemoryJobStore()
        let jobSettings = JobSettings(caps: JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900), defaultAgent: nil)
        service = Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 1_000, maxConversationBodyBytes: 50_000),
            chat: ChatEndpoint(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil), runner: runner),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0),
            responses: ResponsesEndpoint(conversation: conversation, store: MemoryResponseStore(), background: BackgroundResponses(
                conversation: conversation, store: MemoryResponseStore(), jobs: jobs, runner: FakeJobRunner(store: jobs), settings: jobSettings)),
            messages: MessagesEndpoint(conversation: conversation),
            execute: ExecuteEndpoint(gate: gate, run: testRunSettings, settings: jobSettings, store: jobs, runner: FakeJobRunner(store: jobs)))
    }

    func send(_ method: String, _ path: String, _ body: String = "", headers: [String: String]) -> HTTPResponse {
        service.handle(HTTPRequest(method: method, path: path, headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a },
                                   body: Array(body.utf8))).response
    }

    static let chat = #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#
    static let responses = #"{"model":"m","input":"hi","store":false}"#
    static let messages = #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#

    @Test func onlyTheMessagesRoutesTakeXAPIKeyAndOnlyTheConversationRoutesTakeImages() {
        #expect(service.routes.filter(\.acceptsAPIKey).map(\.pattern) == ["/v1/messages", "/v1/messages/count_tokens"])
        #expect(service.routes.filter(\.carriesImages).map(\.pattern)
            == ["/v1/chat/completions", "/v1/responses", "/v1/messages", "/v1/messages/count_tokens"])
        #expect(service.routes.filter(\.acceptsAPIKey).allSatisfy { $0.errorShape == .anthropic && $0.needsToken })
    }

    @Test func anXAPIKeyIsNoTokenAnywhereElse() {
        let key = ["x-api-key": "tok"]
        for (method, path, body) in [("POST", "/v1/chat/completions", Self.chat), ("POST", "/v1/responses", Self.responses),
                                     ("GET", "/v1/responses/resp_1", ""), ("GET", "/v1/models", ""), ("GET", "/execute", ""),
                                     ("POST", "/execute", #"{"prompt":"p"}"#)] {
            let response = send(method, path, body, headers: key)
            #expect(response.status == 401, "\(method) \(path)")
        }
        #expect(runner.plans.isEmpty)
        // The same requests with the token as Bearer are let in.
        #expect(send("POST", "/v1/chat/completions", Self.chat, headers: ["Authorization": "Bearer tok"]).status == 200)
        #expect(send("POST", "/v1/responses", Self.responses, headers: ["Authorization": "Bearer tok", "x-api-key": "wrong"]).status == 200)
        #expect(send("POST", "/v1/messages", Self.messages, headers: key).status == 200)
        #expect(runner.plans.count == 3)
    }

    @Test func theWorkerReadsOfABodyWhatItsRouteTakes() {
        for path in ["/v1/chat/completions", "/v1/responses", "/v1/messages", "/v1/messages/count_tokens"] {
            #expect(service.bodyLimit(forPath: path) == 50_000, "\(path)")
        }
        for path in ["/execute", "/v1/responses/resp_1/cancel", "/v1/models", "/nowhere", "/v1/messagesx"] {
            #expect(service.bodyLimit(forPath: path) == 1_000, "\(path)")
        }
    }

    @Test func eitherHeaderWithTheTokenLetsAMessageIn() {
        #expect(send("POST", "/v1/messages", Self.messages, headers: ["x-api-key": " ", "Authorization": "Bearer tok"]).status == 200)
        #expect(send("POST", "/v1/messages", Self.messages, headers: ["x-api-key": "sk-ant-unrelated", "Authorization": "Bearer tok"]).status == 200)
        #expect(send("POST", "/v1/messages", Self.messages, headers: ["x-api-key": "tok", "Authorization": "Bearer wrong"]).status == 200)
        #expect(send("POST", "/v1/messages", Self.messages, headers: ["x-api-key": "", "Authorization": "Bearer wrong"]).status == 401)
        #expect(send("POST", "/v1/messages", Self.messages, headers: ["x-api-key": "wrong"]).status == 401)
        #expect(runner.plans.count == 3)
    }

    @Test(arguments: [("/v1/chat/completions", chat), ("/v1/responses", responses), ("/v1/messages", messages)])
    func aConversationRouteTakesTheLargerLimit(path: String, body: String) {
        let headers = ["Authorization": "Bearer tok"]
        // Past the ordinary limit, within the conversation routes' one.
        #expect(send("POST", path, body + String(repeating: " ", count: 2_000), headers: headers).status == 200)
        #expect(send("POST", path, body + String(repeating: " ", count: 50_000 - body.utf8.count), headers: headers).status == 200)
        let large = send("POST", path, body + String(repeating: " ", count: 50_001 - body.utf8.count), headers: headers)
        #expect(large.status == 413)
        #expect(String(decoding: large.body, as: UTF8.self).contains("the limit is 50000 bytes"))
    }

    @Test func theOtherRoutesKeepTheOrdinaryLimit() {
        let headers = ["Authorization": "Bearer tok"]
        let body = #"{"prompt":"p"}"# + String(repeating: " ", count: 1_000)
        let execute = send("POST", "/execute", body, headers: headers)
        #expect(execute.status == 413)
        #expect(String(decoding: execute.body, as: UTF8.self) == #"{"detail":"the limit is 1000 bytes","error":"request body too large"}"#)
        #expect(send("POST", "/v1/responses/resp_1/cancel", String(repeating: " ", count: 1_001), headers: headers).status == 413)
    }

    @Test func aTooLargeBodyIsAnsweredInTheRoutesShape() {
        let headers = ["x-api-key": "tok", "Authorization": "Bearer tok"]
        let padding = String(repeating: " ", count: 50_001)
        #expect(String(decoding: send("POST", "/v1/messages", padding, headers: headers).body, as: UTF8.self)
            == #"{"type":"error","error":{"type":"request_too_large","message":"request body too large: the limit is 50000 bytes"}}"#)
        let openAI = jsonObject(send("POST", "/v1/responses", padding, headers: headers).body)
        #expect(openAI["error"].map { jsonField($0, "message") } == .string("request body too large: the limit is 50000 bytes"))
        #expect(jsonObject(send("POST", "/v1/chat/completions", padding, headers: headers).body)["error"] != nil)
        #expect(runner.plans.isEmpty)
    }

    @Test func whatClaudeCodeSendsThroughNginxIsLetIn() {
        // POST /v1/messages?beta=true with x-api-key and the anthropic-* headers, as nginx passes them on.
        let texts = ["REQUEST_METHOD=POST", "DOCUMENT_URI=/v1/messages", "REQUEST_URI=/v1/messages?beta=true", "QUERY_STRING=beta=true",
                     "CONTENT_TYPE=application/json", "HTTP_X_API_KEY=tok", "HTTP_ANTHROPIC_VERSION=2023-06-01",
                     "HTTP_ANTHROPIC_BETA=claude-code-20250219,interleaved-thinking-2025-05-14"]
        let request = texts.map { Array($0.utf8) }.withUnsafeBufferPointers { HTTPRequest(cgiEntries: $0, body: Array(Self.messages.utf8)) }
        #expect(request.header("x-api-key") == "tok")
        let response = service.handle(request).response
        #expect(response.status == 200)
        #expect(jsonObject(response.body)["type"] == .string("message"))
    }

    @Test func busyIsEachDialectsOwn() {
        lock.isHeldElsewhere = true
        let headers = ["x-api-key": "tok", "Authorization": "Bearer tok"]
        #expect(send("POST", "/v1/messages", Self.messages, headers: headers).status == 529)
        #expect(send("POST", "/v1/chat/completions", Self.chat, headers: headers).status == 503)
        #expect(send("POST", "/v1/responses", Self.responses, headers: headers).status == 503)
    }
}

@Suite struct BodyRulesLimitTests {
    func request(_ count: Int) -> HTTPRequest { HTTPRequest(method: "POST", path: "/", body: Array(repeating: 0x20, count: count)) }

    @Test func theDefaultsAre4And32MiB() {
        let rules = BodyRules()
        #expect(rules.maxBodyBytes == 4_194_304)
        #expect(rules.maxConversationBodyBytes == 33_554_432)
        #expect(rules.limit(carriesImages: true) == 33_554_432 && rules.limit(carriesImages: false) == 4_194_304)
    }

    @Test func aRouteThatCarriesImagesTakesTheConversationLimit() {
        let rules = BodyRules(maxBodyBytes: 10, maxConversationBodyBytes: 20)
        #expect(throws: Never.self) { try rules.check(request(20), carriesImages: true) }
        #expect(throws: APIError.bodyTooLarge(limit: 20)) { try rules.check(request(21), carriesImages: true) }
        #expect(throws: Never.self) { try rules.check(request(10)) }
        #expect(throws: APIError.bodyTooLarge(limit: 10)) { try rules.check(request(11)) }
        #expect(throws: APIError.bodyTooLarge(limit: 10)) { try rules.check(request(11), carriesImages: false) }
    }
}

@Suite struct APIKeyTests {
    let auth = BearerAuth(token: "sk-ant-tok")

    @Test(arguments: ["sk-ant-tok", " sk-ant-tok", "sk-ant-tok\t", "  sk-ant-tok  "])
    func theKeyIsTheTokenBlanksAside(key: String) {
        #expect(throws: Never.self) { try auth.check(apiKey: key) }
    }

    @Test(arguments: ["", " ", "sk-ant-to", "sk-ant-tokk", "SK-ANT-TOK", "Bearer sk-ant-tok", "sk-ant-tok,sk-ant-tok", "sk-ant tok"])
    func anyOtherKeyIsRefused(key: String) {
        #expect(throws: APIError.unauthorized) { try auth.check(apiKey: key) }
    }
}
