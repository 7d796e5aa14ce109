import Testing
@testable import Core

@Suite struct MessageObjectTests {
    let message = MessageObject(requestID: "r1", model: "claude-x")
    static let usage = TokenUsage(inputTokens: 4, cacheCreationTokens: 1, cacheReadTokens: 5, outputTokens: 2)
    static let usageJSON = #"{"input_tokens":4,"cache_creation_input_tokens":1,"cache_read_input_tokens":5,"output_tokens":2}"#

    func json(_ answer: RunAnswer) -> String { String(decoding: message.json(answer), as: UTF8.self) }

    @Test func aTextAnswerIsAMessageWithOneTextBlock() {
        #expect(json(RunAnswer(content: "Paris.", usage: Self.usage)) == #"""
            {"id":"msg_r1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"Paris."}],"stop_reason":"end_turn","stop_sequence":null,"usage":\#(Self.usageJSON)}
            """#)
    }

    @Test func anEmptyAnswerStillSaysSomething() {
        #expect(json(RunAnswer(content: "")) == #"""
            {"id":"msg_r1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":""}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}
            """#)
    }

    @Test func callsAreToolUseBlocksWithTheirInputObjectsAfterTheText() {
        let calls = [ToolCall(id: "toolu_a", name: "get_weather", arguments: #"{"city":"Paris","days":[1,2]}"#),
                     ToolCall(id: "toolu_b", name: "get_time", arguments: "{}")]
        #expect(json(RunAnswer(content: "Checking.", toolCalls: calls, usage: Self.usage)) == #"""
            {"id":"msg_r1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{"city":"Paris","days":[1,2]}},{"type":"tool_use","id":"toolu_b","name":"get_time","input":{}}],"stop_reason":"tool_use","stop_sequence":null,"usage":\#(Self.usageJSON)}
            """#)
        // Calls alone, or with an empty text: no text block.
        for content in [nil, ""] as [String?] {
            #expect(json(RunAnswer(content: content, toolCalls: [calls[1]])) == #"""
                {"id":"msg_r1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"tool_use","id":"toolu_b","name":"get_time","input":{}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}
                """#)
        }
    }

    @Test(arguments: ["", "[1]", "not json", "\"x\"", "null"])
    func argumentsThatAreNoObjectAreAnEmptyInput(arguments: String) {
        #expect(MessageObject.input(of: ToolCall(id: "t", name: "f", arguments: arguments)) == .object([:]))
    }

    @Test func theIDsPrefixes() {
        #expect(message.id == "msg_r1")
        #expect(message.model == "claude-x")
        #expect(MessageObject.toolUseIDPrefix == "toolu_")
    }
}

/// The events of a Messages stream as `(event line name, data JSON text)`, checking that each is
/// `event: NAME\ndata: JSON\n\n`.
func messageEvents(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> [(name: String, data: String)] {
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.hasSuffix("\n\n"), sourceLocation: sourceLocation)
    return text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { block in
        let lines = block.components(separatedBy: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("event: ") && lines[1].hasPrefix("data: "), "\(block)", sourceLocation: sourceLocation)
        return (String(lines[0].dropFirst("event: ".count)), String(lines.dropFirst().first?.dropFirst("data: ".count) ?? ""))
    }
}

@Suite struct MessageEventsTests {
    let message = MessageObject(requestID: "r1", model: "claude-x")
    static let zero = #"{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}"#
    static var start: (String, String) {
        ("message_start", #"{"type":"message_start","message":{"id":"msg_r1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":\#(zero)}}"#)
    }
    static let ping = ("ping", #"{"type":"ping"}"#)

    func check(_ bytes: [UInt8], _ expected: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) {
        let events = messageEvents(bytes, sourceLocation: sourceLocation)
        #expect(events.map(\.name) == expected.map(\.0), sourceLocation: sourceLocation)
        #expect(events.map(\.data) == expected.map(\.1), sourceLocation: sourceLocation)
        // Each event's data names its own type.
        for event in events { #expect(jsonObject(Array(event.data.utf8))["type"] == .string(event.name), sourceLocation: sourceLocation) }
    }

    @Test func aTextAnswerStreamedInPieces() {
        let encoder = MessageEvents(message: message)
        let bytes = encoder.opening() + encoder.text(Array("Hel".utf8)) + encoder.text(Array("lo \u{1F30D}".utf8))
            + encoder.closing(RunAnswer(content: "Hello \u{1F30D}", usage: MessageObjectTests.usage), textSent: true)
        check(bytes, [
            Self.start, Self.ping,
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo \#u{1F30D}"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":\#(MessageObjectTests.usageJSON)}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ])
    }

    @Test func anAnswerNotStreamedComesWholeInOneDelta() {
        let encoder = MessageEvents(message: message)
        check(encoder.opening() + encoder.closing(RunAnswer(content: #"{"n":1}"#), textSent: false), [
            Self.start, Self.ping,
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"{\"n\":1}"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":\#(Self.zero)}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ])
    }

    @Test func anEmptyAnswerIsAnEmptyTextBlock() {
        let encoder = MessageEvents(message: message)
        check(encoder.opening() + encoder.closing(RunAnswer(content: ""), textSent: false), [
            Self.start, Self.ping,
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":\#(Self.zero)}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ])
    }

    @Test func aToolAnswerIsABlockPerCallWithItsInputInOneDelta() {
        let encoder = MessageEvents(message: message)
        let calls = [ToolCall(id: "toolu_a", name: "get_weather", arguments: #"{"city":"Paris"}"#), ToolCall(id: "toolu_b", name: "get_time", arguments: "{}")]
        check(encoder.opening() + encoder.closing(RunAnswer(content: nil, toolCalls: calls, usage: MessageObjectTests.usage), textSent: false), [
            Self.start, Self.ping,
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":\"Paris\"}"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_b","name":"get_time","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":\#(MessageObjectTests.usageJSON)}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ])
    }

    @Test func textBeforeCallsIsBlockZeroAndTheCallsFollow() {
        let encoder = MessageEvents(message: message)
        let events = messageEvents(encoder.opening() + encoder.closing(
            RunAnswer(content: "Checking.", toolCalls: [ToolCall(id: "toolu_a", name: "f", arguments: #"{"x":1}"#)]), textSent: false))
        #expect(events.map(\.name) == ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_stop",
                                       "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"])
        #expect(events[3].data == #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking."}}"#)
        #expect(events[4].data == #"{"type":"content_block_stop","index":0}"#)
        #expect(events[5].data == #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"f","input":{}}}"#)
        #expect(events[6].data == #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"x\":1}"}}"#)
        #expect(events[8].data.contains(#""stop_reason":"tool_use""#))
    }

    @Test func aFailureAfterTheStartIsAnErrorEventInTheAPIsShape() {
        let encoder = MessageEvents(message: message)
        check(encoder.opening() + encoder.text(Array("Half".utf8)) + encoder.failure(.executionFailed(detail: "claude exited with code 1: boom")), [
            Self.start, Self.ping,
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Half"}}"#),
            ("error", #"{"type":"error","error":{"type":"api_error","message":"execution failed: claude exited with code 1: boom"}}"#),
        ])
        #expect(messageEvents(MessageEvents(message: message).failure(.internalFailure(detail: "x"))).map(\.data)
            == [#"{"type":"error","error":{"type":"api_error","message":"internal error: x"}}"#])
    }
}

@Suite struct AnthropicErrorBodyTests {
    @Test(arguments: [
        (APIError.unauthorized, 401, "authentication_error", "unauthorized"),
        (.invalidRequest("messages must be a non-empty array"), 400, "invalid_request_error", "messages must be a non-empty array"),
        (.streamingNotSupported, 400, "invalid_request_error", "streaming not supported"),
        (.bodyTooLarge(limit: 33_554_432), 413, "request_too_large", "request body too large: the limit is 33554432 bytes"),
        (.unsupportedMediaType("text/plain"), 415, "invalid_request_error", "unsupported content type: expected application/json, got text/plain"),
        (.notFound(path: "/v1/nope"), 404, "not_found_error", "not found: no route for /v1/nope"),
        (.modelNotFound(id: "x"), 404, "not_found_error", "model not found: no model named x"),
        (.unavailable(detail: "why"), 404, "not_found_error", "not available: why"),
        (.methodNotAllowed(allowed: ["POST"]), 405, "invalid_request_error", "method not allowed: allowed: POST"),
        (.busy(retryAfterSeconds: 7), 529, "overloaded_error", "execution failed: busy: another run is in progress"),
        (.jobBusy(retryAfterSeconds: 7), 529, "overloaded_error", "busy: another run is in progress"),
        (.executionFailed(detail: "boom"), 503, "api_error", "execution failed: boom"),
        (.internalFailure(detail: "disk"), 500, "api_error", "internal error: disk"),
    ])
    func eachErrorHasTheAPIsTypeAndStatus(error: APIError, status: Int, type: String, message: String) {
        let response = error.response(in: .anthropic)
        #expect(response.status == status)
        #expect(response.header("Content-Type") == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self)
            == #"{"type":"error","error":{"type":"\#(type)","message":"\#(message)"}}"#)
    }

    @Test func theHeadersAreTheSameAsInEveryShape() {
        #expect(APIError.busy(retryAfterSeconds: 7).response(in: .anthropic).header("Retry-After") == "7")
        #expect(APIError.executionFailed(detail: "x").response(in: .anthropic).header("x-should-retry") == "false")
        #expect(APIError.unauthorized.response(in: .anthropic).header("WWW-Authenticate") == "Bearer")
        #expect(APIError.methodNotAllowed(allowed: ["POST"]).response(in: .anthropic).header("Allow") == "POST")
        // Busy is 529 only in the Anthropic shape.
        #expect(APIError.busy(retryAfterSeconds: 7).response(in: .openAI).status == 503)
        #expect(APIError.busy(retryAfterSeconds: 7).response(in: .service).status == 503)
        #expect(AnthropicErrorBody.overloadedStatus == 529)
    }
}
