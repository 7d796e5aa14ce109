import Testing
@testable import Core

@Suite struct MessagesEndpointTests {
    let lock = FakeRunLock()
    let runner: FakeRunner

    init() {
        runner = FakeRunner(outcome: .succeeded(text: "Paris.", report: ClaudeReport(
            usage: TokenUsage(inputTokens: 4, cacheCreationTokens: 1, cacheReadTokens: 5, outputTokens: 2))), lock: lock)
    }

    func service(images: ImageRules = ImageRules(), body: BodyRules = BodyRules(maxBodyBytes: 1_000, maxConversationBodyBytes: 100_000)) -> Service {
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs(id: "abcdefgh12"), retryAfterSeconds: 7)
        let conversation = ConversationRunner(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: "triage"), runner: runner, images: images)
        return Service(
            auth: BearerAuth(token: "tok"), body: body,
            chat: ChatEndpoint(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: "triage"), runner: runner),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0),
            messages: MessagesEndpoint(conversation: conversation))
    }

    func send(_ body: String, path: String = "/v1/messages", method: String = "POST", headers: [String: String] = ["x-api-key": "tok"],
              service: Service? = nil, busyStatus: Int? = nil) -> HandledRequest {
        var request = HTTPRequest(method: method, path: path, headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a },
                                  body: Array(body.utf8))
        request.busyStatus = busyStatus
        return (service ?? self.service()).handle(request)
    }

    func create(_ fields: String, headers: [String: String] = ["x-api-key": "tok"], service: Service? = nil) -> HandledRequest {
        send(#"{"model":"claude-x","max_tokens":1024,\#(fields)}"#, headers: headers, service: service)
    }

    func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    func anthropicError(_ type: String, _ message: String) -> String { #"{"type":"error","error":{"type":"\#(type)","message":"\#(message)"}}"# }

    let hi = #""messages":[{"role":"user","content":"Capital of France?"}]"#
    static let usage = #"{"input_tokens":4,"cache_creation_input_tokens":1,"cache_read_input_tokens":5,"output_tokens":2}"#

    @Test func aMessageIsAnsweredWithTheCLIsFigures() {
        let handled = create(#""system":"Be concise.",\#(hi)"#)
        #expect(handled.response.status == 200)
        #expect(handled.response.header("Content-Type") == "application/json")
        #expect(text(handled.response)
            == #"{"id":"msg_abcdefgh12","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"Paris."}],"stop_reason":"end_turn","stop_sequence":null,"usage":\#(Self.usage)}"#)
        #expect(handled.run == RunNote(outcome: .ran(.succeeded), requestID: "abcdefgh12", caller: "default"))
        #expect(runner.invocations == [ClaudeInvocation(requestID: "abcdefgh12", model: "claude-x",
                                                        prompt: "System instructions:\nBe concise.\n\n---\n\nRequest:\nCapital of France?", agent: "triage")])
        #expect(lock.acquisitions == 1 && lock.releases == 1)
    }

    @Test func theEffortReachesTheCLI() {
        #expect(create(#"\#(hi),"output_config":{"effort":"high"}"#).response.status == 200)
        #expect(runner.invocations.first?.effort == .high)
    }

    @Test func aToolAnswerHasToolUseBlocksWithToolUIDs() {
        runner.outcome = .succeeded(text: #"{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}]}"#, report: ClaudeReport())
        let handled = create(#"\#(hi),"tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],"tool_choice":{"type":"any"}"#)
        #expect(handled.response.status == 200)
        #expect(text(handled.response)
            == #"{"id":"msg_abcdefgh12","type":"message","role":"assistant","model":"claude-x","content":[{"type":"tool_use","id":"toolu_abcdefgh12","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}"#)
        #expect(runner.invocations.first?.jsonSchema != nil)
    }

    @Test func theResultOfACallContinuesTheConversation() {
        let handled = create(#"""
            "messages":[{"role":"user","content":"Weather?"},
             {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"rain","is_error":true}]}]
            """#)
        #expect(handled.response.status == 200)
        #expect(runner.invocations.first?.prompt == """
            Conversation so far:
            User: Weather?

            Assistant called function get_weather with arguments {"city":"Paris"} (call id toolu_1)

            Function get_weather failed (call id toolu_1): rain

            ---

            Request:
            \(PromptBuilder.continueRequest)
            """)
    }

    @Test func imagesGoToTheCLIBesideThePrompt() {
        let handled = create(#"""
            "messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},
             {"type":"image","source":{"type":"base64","media_type":"image/png","data":"\#(ImageFixtures.png)"}},
             {"type":"image","source":{"type":"url","url":"https://example.com/b.jpg"}}]}]
            """#)
        #expect(handled.response.status == 200)
        #expect(runner.invocations.first?.prompt == "Request:\nWhat is this?\n[image 1]\n[image 2]")
        #expect(runner.invocations.first?.images == [.base64(mediaType: "image/png", data: ImageFixtures.png), .url("https://example.com/b.jpg")])
    }

    @Test func aBadImageIsA400NamingItWithoutARun() {
        let handled = create(#""messages":[{"role":"user","content":[{"type":"text","text":"?"},{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"\#(ImageFixtures.png)"}}]}]"#)
        #expect(handled.response.status == 400)
        #expect(text(handled.response) == anthropicError("invalid_request_error", "messages[0].content[1] declares media type 'image/jpeg' but its bytes are image/png"))
        #expect(runner.plans.isEmpty)
        #expect(lock.acquisitions == lock.releases)
        let http = create(#""messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"http://example.com/a.png"}}]}]"#)
        #expect(text(http.response) == anthropicError("invalid_request_error",
                                                     "messages[0].content[0] must be an https URL or base64 image data; other URLs are not accepted"))
    }

    @Test func tooManyImagesAreA400() {
        let image = #"{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}"#
        let handled = create(#""messages":[{"role":"user","content":[\#(image),\#(image)]}]"#, service: service(images: ImageRules(maxCount: 1)))
        #expect(handled.response.status == 400)
        #expect(text(handled.response) == anthropicError("invalid_request_error", "messages holds 2 images; at most 1 are accepted in one request"))
        #expect(runner.plans.isEmpty)
    }

    @Test func aBadBodyIsA400InTheAnthropicShapeWithoutARun() {
        let handled = create(#"\#(hi),"tools":[{"type":"web_search_20250305","name":"web_search"}]"#)
        #expect(handled.response.status == 400)
        #expect(text(handled.response) == anthropicError("invalid_request_error",
            "tools[0].type 'web_search_20250305' is a server tool, which this service cannot run; offer client tools (name, description, input_schema)"))
        #expect(send(#"not json"#).response.status == 400)
        #expect(text(send(#"not json"#).response) == anthropicError("invalid_request_error", "request body is not valid JSON"))
        #expect(text(send(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#).response) == anthropicError("invalid_request_error", "max_tokens is required"))
        #expect(runner.plans.isEmpty)
        #expect(lock.acquisitions == lock.releases)
    }

    @Test func busyIs529OverloadedBeforeTheBodyIsRead() {
        lock.isHeldElsewhere = true
        for body in [#"{"model":"claude-x","max_tokens":1024,\#(hi)}"#, "not json", ""] {
            let handled = send(body)
            #expect(handled.response.status == 529)
            #expect(handled.response.header("Retry-After") == "7")
            #expect(handled.response.header("x-should-retry") == nil)
            #expect(text(handled.response) == anthropicError("overloaded_error", "execution failed: busy: another run is in progress"))
            #expect(handled.run.outcome == .busy)
        }
        #expect(runner.plans.isEmpty)
    }

    @Test func aFleetsNginxAsksForItsOwnBusyStatus() {
        lock.isHeldElsewhere = true
        let handled = send(#"{"model":"claude-x","max_tokens":1024,\#(hi)}"#, busyStatus: 429)
        #expect(handled.response.status == 429)
        #expect(handled.response.header("Retry-After") == "7")
        #expect(text(handled.response) == anthropicError("overloaded_error", "execution failed: busy: another run is in progress"))
    }

    @Test func aFailedRunIs503ApiErrorThatMustNotBeRetried() {
        runner.outcome = .failed(detail: "claude exited with code 42: boom", report: nil)
        let handled = create(hi)
        #expect(handled.response.status == 503)
        #expect(handled.response.header("x-should-retry") == "false")
        #expect(text(handled.response) == anthropicError("api_error", "execution failed: claude exited with code 42: boom"))
        #expect(handled.run.outcome == .ran(.failed))
    }

    @Test func countTokensIsANotFoundErrorWithoutARun() {
        let handled = send(#"{"model":"claude-x",\#(hi)}"#, path: "/v1/messages/count_tokens")
        #expect(handled.response.status == 404)
        #expect(text(handled.response) == anthropicError("not_found_error",
            "not available: count_tokens cannot be answered truthfully here: claude adds its own system prompt and tools to every run, and only the Anthropic API counts tokens"))
        #expect(runner.plans.isEmpty)
        #expect(lock.acquisitions == 0)
        // Its token is checked first, as on every route.
        #expect(send("{}", path: "/v1/messages/count_tokens", headers: ["x-api-key": "nope"]).response.status == 401)
        #expect(throws: APIError.unavailable(detail: "count_tokens cannot be answered truthfully here: claude adds its own system prompt and tools to every run, and only the Anthropic API counts tokens")) {
            try MessagesEndpoint(conversation: ConversationRunner(gate: RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs()), run: testRunSettings,
                                                                  agentMap: AgentMap(fallback: nil), runner: runner)).countTokens()
        }
    }

    @Test func theTokenComesAsXAPIKeyOrAsBearer() {
        #expect(create(hi, headers: ["x-api-key": "tok"]).response.status == 200)
        #expect(create(hi, headers: ["x-api-key": " tok "]).response.status == 200)
        #expect(create(hi, headers: ["Authorization": "Bearer tok"]).response.status == 200)
        #expect(create(hi, headers: ["Authorization": "Bearer tok", "anthropic-version": "2023-06-01", "anthropic-beta": "x,y"]).response.status == 200)
        // Either header with the token lets it in: a client may send an unrelated key beside its token.
        #expect(create(hi, headers: ["x-api-key": "nope", "Authorization": "Bearer tok"]).response.status == 200)
        #expect(runner.plans.count == 5)
        for headers in [["x-api-key": "nope"], ["x-api-key": "nope", "Authorization": "Bearer nope"], ["x-api-key": ""], ["Authorization": "Bearer nope"], [:]] {
            let handled = create(hi, headers: headers)
            #expect(handled.response.status == 401, "\(headers)")
            #expect(text(handled.response) == anthropicError("authentication_error", "unauthorized"))
        }
        #expect(runner.plans.count == 5)
    }

    @Test func otherMethodsAndTypesAreRefusedInTheAnthropicShape() {
        let get = send("", method: "GET")
        #expect(get.response.status == 405)
        #expect(get.response.header("Allow") == "POST")
        #expect(text(get.response) == anthropicError("invalid_request_error", "method not allowed: allowed: POST"))
        let typed = service().handle(HTTPRequest(method: "POST", path: "/v1/messages", headers: ["x-api-key": "tok", "Content-Type": "text/plain"],
                                                 body: Array(#"{"model":"m","max_tokens":1,\#(hi)}"#.utf8)))
        #expect(typed.response.status == 415)
        #expect(text(typed.response) == anthropicError("invalid_request_error", "unsupported content type: expected application/json, got text/plain"))
    }

    @Test func theBodyLimitIsTheConversationRoutesOne() {
        let padding = String(repeating: " ", count: 2_000)
        #expect(create(#"\#(hi)\#(padding)"#).response.status == 200)
        let large = create(#"\#(hi)\#(String(repeating: " ", count: 100_000))"#)
        #expect(large.response.status == 413)
        #expect(text(large.response) == anthropicError("request_too_large", "request body too large: the limit is 100000 bytes"))
    }

    @Test func aStreamIsTheAPIsEvents() {
        runner.events = [.started, .textDelta(Array("Par".utf8)), .textDelta(Array("is.".utf8)), .result(text: "Paris.", report: ClaudeReport())]
        let handled = create(#"\#(hi),"stream":true"#)
        #expect(handled.response.status == 200)
        #expect(handled.response.header("Content-Type") == "text/event-stream")
        #expect(runner.invocations.first?.streamsText == true)
        let events = messageEvents(handled.response.body)
        #expect(events.map(\.name) == ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta",
                                       "content_block_stop", "message_delta", "message_stop"])
        #expect(events[0].data.hasPrefix(#"{"type":"message_start","message":{"id":"msg_abcdefgh12","type":"message","role":"assistant","model":"claude-x","content":[]"#))
        #expect(events[3].data == #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Par"}}"#)
        #expect(events[4].data == #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"is."}}"#)
        #expect(events[6].data == #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":\#(Self.usage)}"#)
    }

    @Test func aRunThatFailsAfterTheStreamBeganEndsWithAnErrorEvent() {
        runner.events = [.started, .textDelta(Array("Pa".utf8))]
        runner.outcome = .failed(detail: "claude exited with code 1: boom", report: nil)
        let handled = create(#"\#(hi),"stream":true"#)
        #expect(handled.response.status == 200)
        let events = messageEvents(handled.response.body)
        #expect(events.map(\.name) == ["message_start", "ping", "content_block_start", "content_block_delta", "error"])
        #expect(events.last?.data == anthropicError("api_error", "execution failed: claude exited with code 1: boom"))
    }

    @Test func aRunThatFailsBeforeTheStreamBeganIsAnOrdinaryError() {
        runner.outcome = .failed(detail: "claude exited with code 1: boom", report: nil)
        let handled = create(#"\#(hi),"stream":true"#)
        #expect(handled.response.status == 503)
        #expect(text(handled.response) == anthropicError("api_error", "execution failed: claude exited with code 1: boom"))
    }

    @Test func aStreamedToolAnswer() {
        runner.events = [.started]
        runner.outcome = .succeeded(text: #"{"tool_calls":[{"name":"f","arguments":{"a":1}}]}"#, report: ClaudeReport())
        let handled = create(#"\#(hi),"stream":true,"tools":[{"name":"f","input_schema":{"type":"object"}}]"#)
        let events = messageEvents(handled.response.body)
        #expect(events.map(\.name) == ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_stop",
                                       "message_delta", "message_stop"])
        #expect(events[2].data == #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_abcdefgh12","name":"f","input":{}}}"#)
        #expect(events[3].data == #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}}"#)
        #expect(runner.invocations.first?.streamsText == false)
    }

    @Test func theRunIsCancelledWhenTheClientHangsUp() {
        for stream in ["false", "true"] {
            _ = service().handle(HTTPRequest(method: "POST", path: "/v1/messages", headers: ["x-api-key": "tok"],
                                             body: Array(#"{"model":"m","max_tokens":1,"stream":\#(stream),\#(hi)}"#.utf8), connectionDescriptor: 9))
        }
        #expect(runner.cancelDescriptors == [9, 9])
        #expect(runner.lockWasHeld == [true, true])
    }

    @Test func theRoutesAreOffWithoutTheEndpoint() {
        let plain = Service(auth: BearerAuth(token: "tok"), body: BodyRules(),
                            chat: ChatEndpoint(gate: RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs()), run: testRunSettings,
                                               agentMap: AgentMap(fallback: nil), runner: runner),
                            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0))
        #expect(send(#"{"model":"claude-x","max_tokens":1,\#(hi)}"#, headers: ["Authorization": "Bearer tok"], service: plain).response.status == 404)
    }
}
