import Testing
@testable import Core

/// The server-sent events of a Responses stream: each event's type and data object.
func responseEvents(_ bytes: [UInt8]) -> [(type: String, data: JSONObject)] {
    String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty && !$0.hasPrefix(":") }.map { block in
        let lines = block.components(separatedBy: "\n")
        let type = lines.first.map { String($0.dropFirst("event: ".count)) } ?? ""
        let data = lines.dropFirst().first.map { String($0.dropFirst("data: ".count)) } ?? ""
        return (type, jsonObject(Array(data.utf8)))
    }
}

@Suite struct ResponseEventsTests {
    let response = ResponseObject(id: "resp_r1", createdAt: 1_700_000_000, echo: ResponseEcho(model: "m"))

    func check(_ events: [(type: String, data: JSONObject)], types: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(events.map(\.type) == types, sourceLocation: sourceLocation)
        // Each event says its own type and counts from 0 without a gap.
        #expect(events.map { $0.data["type"] } == types.map { .string($0) }, sourceLocation: sourceLocation)
        #expect(events.map { $0.data["sequence_number"] } == events.indices.map { .integer(Int64($0)) }, sourceLocation: sourceLocation)
    }

    @Test func aStreamedTextAnswer() {
        let encoder = ResponseEvents(response: response)
        let bytes = encoder.opening() + encoder.text(Array("Hel".utf8)) + encoder.text(Array("lo".utf8))
            + encoder.closing(RunAnswer(content: "Hello", usage: TokenUsage(inputTokens: 3, outputTokens: 2)), textSent: true)
        let events = responseEvents(bytes)
        check(events, types: ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                              "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
                              "response.content_part.done", "response.output_item.done", "response.completed"])
        #expect(events[0].data["response"].map { jsonField($0, "status") } == .string("in_progress"))
        #expect(events[2].data["item"]?.compactText == #"{"id":"msg_r1","type":"message","status":"in_progress","role":"assistant","content":[]}"#)
        #expect(events[4].data["delta"] == .string("Hel"))
        #expect(events[4].data["item_id"] == .string("msg_r1"))
        #expect(events[4].data["output_index"] == .integer(0))
        #expect(events[4].data["content_index"] == .integer(0))
        #expect(events[5].data["delta"] == .string("lo"))
        #expect(events[6].data["text"] == .string("Hello"))
        #expect(events[8].data["item"].map { jsonField($0, "status") } == .string("completed"))
        let completed = events[9].data["response"]
        #expect(completed.map { jsonField($0, "status") } == .string("completed"))
        #expect(completed.map { jsonField($0, "usage") }?.compactText.contains(#""input_tokens":3"#) == true)
        #expect(completed.map { jsonField($0, "output") }?.compactText.contains(#""text":"Hello""#) == true)
    }

    @Test func aStructuredAnswerHasNoDeltasUntilTheEnd() {
        let encoder = ResponseEvents(response: response)
        let json = #"{"name":"Ada"}"#
        let events = responseEvents(encoder.opening() + encoder.closing(RunAnswer(content: json), textSent: false))
        check(events, types: ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                              "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                              "response.output_item.done", "response.completed"])
        #expect(events[4].data["delta"] == .string(json))
        #expect(events[5].data["text"] == .string(json))
    }

    @Test func functionCallsAreItemsAfterTheMessage() {
        let encoder = ResponseEvents(response: response)
        let calls = [ToolCall(id: "call_a", name: "get", arguments: #"{"city":"Paris"}"#), ToolCall(id: "call_b", name: "ns.find", arguments: "{}")]
        let events = responseEvents(encoder.opening() + encoder.closing(RunAnswer(content: nil, toolCalls: calls), textSent: false))
        let perCall = ["response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done",
                       "response.output_item.done"]
        check(events, types: ["response.created", "response.in_progress"] + perCall + perCall + ["response.completed"])
        #expect(events[2].data["output_index"] == .integer(0))
        #expect(events[2].data["item"]?.compactText == #"{"id":"fc_a","type":"function_call","status":"in_progress","call_id":"call_a","name":"get","arguments":""}"#)
        #expect(events[3].data["item_id"] == .string("fc_a"))
        #expect(events[3].data["delta"] == .string(#"{"city":"Paris"}"#))
        #expect(events[4].data["arguments"] == .string(#"{"city":"Paris"}"#))
        #expect(events[6].data["output_index"] == .integer(1))
        #expect(events[9].data["item"]?.compactText == #"{"id":"fc_b","type":"function_call","status":"completed","call_id":"call_b","name":"find","arguments":"{}","namespace":"ns"}"#)
        let output = events[10].data["response"].map { jsonField($0, "output") }
        guard case .array(let items)? = output else {
            Issue.record("no output")
            return
        }
        #expect(items.count == 2)
    }

    @Test func textAndCallsPutTheCallsAfterTheMessage() {
        let encoder = ResponseEvents(response: response)
        let events = responseEvents(encoder.opening() + encoder.closing(
            RunAnswer(content: "Looking.", toolCalls: [ToolCall(id: "call_a", name: "get", arguments: "{}")]), textSent: false))
        #expect(events.map(\.type).firstIndex(of: "response.function_call_arguments.delta")
            ?? 0 > events.map(\.type).firstIndex(of: "response.output_item.done") ?? 99)
        #expect(events.first { $0.type == "response.function_call_arguments.delta" }?.data["output_index"] == .integer(1))
    }

    @Test func aFailureEndsTheStream() {
        let encoder = ResponseEvents(response: response)
        let events = responseEvents(encoder.opening() + encoder.text(Array("Half".utf8)) + encoder.failure(.executionFailed(detail: "boom")))
        check(events, types: ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                              "response.output_text.delta", "response.failed"])
        let failed = events[5].data["response"]
        #expect(failed.map { jsonField($0, "status") } == .string("failed"))
        #expect(failed.map { jsonField($0, "error") } == .object(["code": .string("execution_failed"), "message": .string("execution failed: boom")]))
    }

    @Test func theKeepAliveIsAComment() {
        // Every dialect's: a comment line, which SSE readers skip.
        #expect(AnswerStream.keepAlive == Array(": keep-alive\n\n".utf8))
    }
}

/// A member of a JSON object; `.null` when there is none.
func jsonField(_ value: JSONValue, _ key: String) -> JSONValue {
    guard case .object(let object) = value else { return .null }
    return object[key] ?? .null
}
