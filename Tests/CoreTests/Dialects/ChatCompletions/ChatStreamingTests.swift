import Testing
@testable import Core

@Suite struct ChatStreamingTests {
    let lock = FakeRunLock()
    let runner = FakeRunner(outcome: .succeeded(text: "Hello", report: ClaudeReport(usage: TokenUsage(inputTokens: 4, cacheReadTokens: 5, outputTokens: 2))))

    func service(streaming: StreamingSettings = StreamingSettings(enabled: true, keepAliveSeconds: 15)) -> Service {
        Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 10_000),
            chat: ChatEndpoint(gate: RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs()), run: testRunSettings,
                               agentMap: AgentMap(fallback: "triage"), runner: runner, streaming: streaming),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0))
    }

    func request(_ extra: String = "", content: String = "hi") -> HTTPRequest {
        HTTPRequest(method: "POST", path: "/v1/chat/completions",
                    headers: ["Authorization": "Bearer tok", "Content-Type": "application/json"],
                    body: Array(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"\#(content)"}]\#(extra)}"#.utf8))
    }

    /// The events of a streamed body: JSON objects, "[DONE]", or comment lines.
    func events(_ body: [UInt8]) -> [String] {
        String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty }
    }

    @Test func theTextStreamsBetweenTheRoleAndTheFinish() {
        runner.events = [.started, .textDelta(Array("Hel".utf8)), .textDelta(Array("lo".utf8)), .result(text: "Hello", report: ClaudeReport())]
        let handled = service().handle(request())
        #expect(handled.response.status == 200)
        #expect(handled.response.header("Content-Type") == "text/event-stream")
        #expect(handled.response.header("Cache-Control") == "no-cache")
        #expect(handled.response.header("X-Accel-Buffering") == "no")
        #expect(handled.run == RunNote(outcome: .ran(.succeeded), requestID: "fixedid", caller: "default"))
        #expect(!handled.sent)
        let head = #"data: {"id":"chatcmpl-fixedid","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":"#
        #expect(events(handled.response.body) == [
            head + #"[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
            head + #"[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}"#,
            head + #"[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}"#,
            head + #"[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            "data: [DONE]",
        ])
        #expect(runner.invocations.first?.streamsText == true)
    }

    @Test func usageWhenAskedForAndTheResultWhenNothingStreamed() {
        runner.events = [.started]
        let body = service().handle(request(#","stream_options":{"include_usage":true}"#)).response.body
        let list = events(body)
        #expect(list.count == 5)
        #expect(list[1].hasSuffix(#""choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}"#))
        #expect(list[3].hasSuffix(#""choices":[],"usage":{"completion_tokens":2,"prompt_tokens":9,"prompt_tokens_details":{"cached_tokens":5},"total_tokens":11}}"#))
    }

    @Test func keepAliveCommentsWhileTheRunIsQuiet() {
        runner.events = [.started, nil, nil, .textDelta(Array("Hello".utf8))]
        let body = service(streaming: StreamingSettings(enabled: true, keepAliveSeconds: 0)).handle(request()).response.body
        #expect(events(body).filter { $0 == ": keep-alive" }.count == 2)
        runner.events = [.started, nil, nil]
        let quiet = service(streaming: StreamingSettings(enabled: true, keepAliveSeconds: 15)).handle(request()).response.body
        #expect(!events(quiet).contains(": keep-alive"))
    }

    @Test func aFailureAfterTheStartEndsWithTheErrorEventAndNoDone() {
        runner.outcome = .failed(detail: "API Error: 500", report: nil)
        runner.events = [.started, .textDelta(Array("Par".utf8))]
        let handled = service().handle(request())
        #expect(handled.response.status == 200)
        #expect(handled.run.outcome == .ran(.failed))
        let list = events(handled.response.body)
        #expect(list.last == #"data: {"error":{"message":"execution failed: API Error: 500","type":"server_error"}}"#)
        #expect(!list.contains("data: [DONE]"))
    }

    @Test func aFailureBeforeTheStartIsAnOrdinaryAnswer() {
        runner.outcome = .failed(detail: "the run supervisor could not be started", report: nil)
        runner.events = []
        let response = service().handle(request()).response
        #expect(response.status == 503)
        #expect(response.header("Content-Type") == "application/json")
    }

    @Test func offRefusesStreamAsTheOriginalServiceDid() {
        let response = service(streaming: .off).handle(request()).response
        #expect(response.status == 400)
        #expect(jsonObject(response.body) == ["error": .string("streaming not supported")])
        #expect(runner.plans.isEmpty)
    }

    @Test func badStreamOptionsAreA400() {
        let response = service().handle(request(#","stream_options":[]"#)).response
        #expect(jsonObject(response.body) == ["error": .string("stream_options must be an object, not array")])
    }

    @Test func structuredAnswersStreamOnceCheckedAndCallsAsToolCallDeltas() {
        runner.outcome = .succeeded(text: #"{"tool_calls":[{"name":"f","arguments":{"x":1}}]}"#, report: ClaudeReport())
        runner.events = [.started]
        let tools = #","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]"#
        let list = events(service().handle(request(tools)).response.body)
        #expect(runner.invocations.first?.streamsText == false)
        #expect(list[1].hasSuffix(#""choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_fixedid","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}"#))
        #expect(list[2].hasSuffix(#""choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"x\":1}"}}]},"finish_reason":null}]}"#))
        #expect(list[3].hasSuffix(#""finish_reason":"tool_calls"}]}"#))
        #expect(list.last == "data: [DONE]")
    }

    @Test func aClientThatCannotBeWrittenToStopsTheRun() {
        final class DeadStream: ResponseStream {
            var hasBegun = false
            func begin(_ head: HTTPResponse) -> Bool { hasBegun = true; return true }
            func send(_ bytes: [UInt8]) -> Bool { false }
        }
        runner.events = [.started, .textDelta(Array("a".utf8)), .textDelta(Array("b".utf8))]
        let handled = service().handle(request(), streamingTo: DeadStream())
        #expect(runner.stoppedAfter == 1)
        #expect(handled.sent)
        #expect(handled.run.outcome == .ran(.cancelled))
    }

    @Test func aLiveStreamGetsEverythingAndTheLoopNothing() {
        let live = BufferedResponseStream()
        runner.events = [.started, .textDelta(Array("Hello".utf8))]
        let handled = service().handle(request(), streamingTo: live)
        #expect(handled.sent)
        #expect(handled.response.body.isEmpty)
        // The role, the text as it came, the end (finish reason and [DONE] in one write).
        #expect(live.pieces.count == 3)
        #expect(events(live.body).last == "data: [DONE]")
        #expect(lock.isHeld == false)
    }
}
