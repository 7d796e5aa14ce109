import Testing
@testable import Core

@Suite struct ResponseObjectTests {
    let response = ResponseObject(id: "resp_abc123", createdAt: 1_700_000_000, echo: ResponseEcho(model: "m"))

    func fields(_ value: JSONValue) -> JSONObject {
        guard case .object(let object) = value else { return [:] }
        return object
    }

    @Test func theIDsComeFromTheRequestID() {
        #expect(ResponseID.make(requestID: "fixedid") == "resp_fixedid")
        #expect(response.messageID == "msg_abc123")
        #expect(ResponseObject.itemID(of: ToolCall(id: "call_xyz", name: "f", arguments: "{}")) == "fc_xyz")
        #expect(ResponseObject.itemID(of: ToolCall(id: "other", name: "f", arguments: "{}")) == "fc_other")
    }

    @Test func responseIDsThatCanNameAFile() {
        #expect(ResponseID.isValid("resp_abc_123"))
        #expect(ResponseID.isValid("resp_job_1700000000000_abcdefgh"))
        for bad in ["resp_", "abc", "resp_../x", "resp_a/b", "resp_a.json", "resp_" + String(repeating: "a", count: 96), "RESP_a", "resp_a b"] {
            #expect(!ResponseID.isValid(bad), "\(bad)")
        }
    }

    @Test func theObjectCarriesEveryFieldInOpenAIsOrder() {
        let object = fields(response.json(status: .inProgress))
        #expect(object.keys == ["id", "object", "created_at", "status", "background", "error", "incomplete_details", "instructions",
                                "max_output_tokens", "metadata", "model", "output", "parallel_tool_calls", "previous_response_id",
                                "reasoning", "store", "temperature", "text", "tool_choice", "tools", "top_p", "truncation", "usage", "user"])
        #expect(object["status"] == .string("in_progress"))
        #expect(object["object"] == .string("response"))
        #expect(object["usage"] == .null)
        #expect(object["error"] == .null)
        #expect(object["text"] == .object(["format": .object(["type": .string("text")])]))
        #expect(object["tool_choice"] == .string("auto"))
        #expect(object["reasoning"] == .object(["effort": .null, "summary": .null]))
    }

    @Test func usageCountsEveryInputTokenWithTheCachedOnesApart() {
        let usage = ResponseObject.usage(TokenUsage(inputTokens: 4, cacheCreationTokens: 1, cacheReadTokens: 5, outputTokens: 2))
        #expect(usage.compactText == #"{"input_tokens":10,"input_tokens_details":{"cached_tokens":5},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":12}"#)
    }

    @Test func theItemsOfAnAnswerAreItsMessageThenItsCalls() {
        let answer = RunAnswer(content: "Here.", toolCalls: [
            ToolCall(id: "call_1", name: "get", arguments: #"{"b":1,"a":2}"#),
            ToolCall(id: "call_2", name: "maps.find", arguments: "{}"),
        ])
        let items = response.items(of: answer)
        #expect(items.map(\.compactText) == [
            #"{"id":"msg_abc123","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Here.","annotations":[],"logprobs":[]}]}"#,
            #"{"id":"fc_1","type":"function_call","status":"completed","call_id":"call_1","name":"get","arguments":"{\"b\":1,\"a\":2}"}"#,
            #"{"id":"fc_2","type":"function_call","status":"completed","call_id":"call_2","name":"find","arguments":"{}","namespace":"maps"}"#,
        ])
        #expect(response.items(of: RunAnswer(content: nil, toolCalls: [ToolCall(id: "call_1", name: "f", arguments: "{}")])).count == 1)
        #expect(response.items(of: RunAnswer(content: "")).count == 1, "an empty answer is still a message")
    }

    @Test func aNamespacedNameSplitsAtItsLastDot() {
        let split = ResponsesToolsDecoder.split("maps.find")
        #expect(split.name == "find" && split.namespace == "maps")
        let plain = ResponsesToolsDecoder.split("find")
        #expect(plain.name == "find" && plain.namespace == nil)
        #expect(ResponsesToolsDecoder.qualifiedName("find", in: "maps") == "maps.find")
        #expect(ResponsesToolsDecoder.qualifiedName("find", in: nil) == "find")
    }

    @Test func aFailedResponseCarriesItsErrorsCodeAndMessage() {
        let object = fields(response.json(status: .failed, error: .executionFailed(detail: "claude exited with code 1")))
        #expect(object["status"] == .string("failed"))
        #expect(object["error"] == .object(["code": .string("execution_failed"), "message": .string("execution failed: claude exited with code 1")]))
        let bad = fields(response.json(status: .failed, error: .invalidRequest("the output schema was refused by claude")))
        #expect(bad["error"] == .object(["code": .string("invalid_request_error"), "message": .string("the output schema was refused by claude")]))
    }

    @Test func theEchoIsRepeated() throws {
        let request = try ResponsesDecoder.decode(Array(#"{"model":"m","input":"hi","instructions":"I","metadata":{"a":"b"},"reasoning":{"effort":"minimal"},"store":false,"temperature":1,"tools":[{"type":"function","name":"f"}],"tool_choice":"required","text":{"format":{"type":"json_object"}},"previous_response_id":"resp_x","user":"u"}"#.utf8))
        let object = fields(ResponseObject(id: "resp_1", createdAt: 1, echo: request.echo).json(status: .completed))
        #expect(object["instructions"] == .string("I"))
        #expect(object["metadata"] == .object(["a": .string("b")]))
        #expect(object["reasoning"] == .object(["effort": .string("minimal"), "summary": .null]))
        #expect(object["store"] == .bool(false))
        #expect(object["temperature"] == .double(1))
        #expect(object["tools"]?.compactText == #"[{"type":"function","name":"f"}]"#)
        #expect(object["tool_choice"] == .string("required"))
        #expect(object["text"] == .object(["format": .object(["type": .string("json_object")])]))
        #expect(object["previous_response_id"] == .string("resp_x"))
        #expect(object["user"] == .string("u"))
    }
}
