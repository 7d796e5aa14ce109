import Testing
@testable import Core

@Suite struct StructuredOutputPlanTests {
    func json(_ text: String) -> JSONValue {
        JSONValue.parse(Array(text.utf8)) ?? .null
    }

    let weather = FunctionTool(name: "get_weather", description: "Weather now.",
                               parameters: .object(["type": .string("object"), "properties": .object(["city": .object(["type": .string("string")])]),
                                                    "required": .array([.string("city")])]))
    let time = FunctionTool(name: "get_time")

    @Test func textWithoutToolsIsNoPlan() throws {
        #expect(try StructuredOutputPlan.make(format: .text, tools: [], choice: .auto, parallelToolCalls: true) == nil)
        // tool_choice none: the functions are not offered.
        #expect(try StructuredOutputPlan.make(format: .text, tools: [weather], choice: .none, parallelToolCalls: true) == nil)
    }

    @Test func anObjectSchemaGoesAsItIsAndIsTheContent() throws {
        let schema = json(#"{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}"#)
        let plan = try #require(try StructuredOutputPlan.make(format: .json(schema: schema), tools: [], choice: .auto, parallelToolCalls: true))
        #expect(plan.reading == .whole)
        #expect(json(plan.schemaText) == schema)
        #expect(try plan.answer(from: #"{"name":"Ada"}"#, newCallID: { "x" }) == RunAnswer(content: #"{"name":"Ada"}"#))
    }

    @Test func anotherRootIsWrappedWithItsReferencesMovedAndUnwrapped() throws {
        let schema = json(##"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","items":{"$ref":"#/$defs/P"},"$defs":{"P":{"type":"string"}}}"##)
        let plan = try #require(try StructuredOutputPlan.make(format: .json(schema: schema), tools: [], choice: .auto, parallelToolCalls: true))
        #expect(plan.reading == .wrapped)
        #expect(json(plan.schemaText) == json(##"""
            {"type":"object","additionalProperties":false,"required":["value"],"properties":{"value":
              {"type":"array","items":{"$ref":"#/properties/value/$defs/P"},"$defs":{"P":{"type":"string"}}}}}
            """##))
        #expect(try plan.answer(from: #"{"value":["a","b"]}"#, newCallID: { "x" }) == RunAnswer(content: #"["a","b"]"#))
    }

    @Test func toolsBecomeContentOrCalls() throws {
        let plan = try #require(try StructuredOutputPlan.make(format: .text, tools: [weather, time], choice: .auto, parallelToolCalls: true))
        #expect(plan.reading == .toolCalls(jsonContent: false))
        guard case .object(let root) = json(plan.schemaText), case .object(let properties)? = root["properties"],
              case .object(let calls)? = properties["tool_calls"], case .object(let items)? = calls["items"],
              case .array(let choices)? = items["anyOf"] else {
            Issue.record("unexpected schema \(plan.schemaText)")
            return
        }
        #expect(root["minProperties"] == .integer(1))
        #expect(root["required"] == nil)
        #expect(properties["content"] == json(#"{"type":"string","description":"Your answer to the user, in text."}"#))
        #expect(calls["maxItems"] == nil)
        #expect(choices.count == 2)
        #expect(choices[0] == json(#"""
            {"type":"object","description":"Weather now.","additionalProperties":false,"required":["name","arguments"],
             "properties":{"name":{"const":"get_weather"},"arguments":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}
            """#))
        var ids = ["b", "a"]
        let answer = try plan.answer(from: #"{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"get_time","arguments":{}}]}"#,
                                     newCallID: { "call_" + ids.removeLast() })
        #expect(answer == RunAnswer(content: nil, toolCalls: [
            ToolCall(id: "call_a", name: "get_weather", arguments: #"{"city":"Paris"}"#),
            ToolCall(id: "call_b", name: "get_time", arguments: "{}"),
        ]))
        #expect(answer.finishReason == "tool_calls")
        let text = try plan.answer(from: #"{"content":"It is sunny."}"#, newCallID: { "x" })
        #expect(text == RunAnswer(content: "It is sunny."))
        #expect(text.finishReason == "stop")
    }

    @Test func toolChoiceAndParallelCallsBoundTheList() throws {
        func calls(_ choice: ToolChoice, parallel: Bool = true) throws -> (root: JSONObject, list: JSONObject) {
            let plan = try #require(try StructuredOutputPlan.make(format: .text, tools: [weather, time], choice: choice, parallelToolCalls: parallel))
            guard case .object(let root) = json(plan.schemaText), case .object(let properties)? = root["properties"],
                  case .object(let list)? = properties["tool_calls"] else { return ([:], [:]) }
            return (root, list)
        }
        let required = try calls(.required)
        #expect(required.root["required"] == .array([.string("tool_calls")]))
        #expect(required.list["maxItems"] == nil)
        let named = try calls(.function("get_time"))
        #expect(named.list["maxItems"] == .integer(1))
        #expect(named.list["minItems"] == .integer(1))
        guard case .object(let item)? = named.list["items"], case .object(let properties)? = item["properties"] else {
            Issue.record("no single item")
            return
        }
        #expect(properties["name"] == json(#"{"const":"get_time"}"#))
        #expect(try calls(.auto, parallel: false).list["maxItems"] == .integer(1))
    }

    @Test func aJSONAnswerWithToolsIsJSONContent() throws {
        let plan = try #require(try StructuredOutputPlan.make(format: .json(schema: json(#"{"type":"object"}"#)), tools: [time], choice: .auto, parallelToolCalls: true))
        #expect(plan.reading == .toolCalls(jsonContent: true))
        #expect(try plan.answer(from: #"{"content":{"a":1}}"#, newCallID: { "x" }) == RunAnswer(content: #"{"a":1}"#))
    }

    @Test func aValueThatDoesNotFitIsAFailedRun() throws {
        let plan = try #require(try StructuredOutputPlan.make(format: .text, tools: [time], choice: .auto, parallelToolCalls: true))
        #expect(throws: APIError.executionFailed(detail: "structured output holds neither content nor tool_calls")) {
            try plan.answer(from: "{}", newCallID: { "x" })
        }
        #expect(throws: APIError.executionFailed(detail: "structured output is not a JSON object")) {
            try plan.answer(from: "[1]", newCallID: { "x" })
        }
    }

    @Test func aSchemaOverTheLimitIsABadRequest() {
        let big = JSONValue.object(["type": .string("object"), "description": .string(String(repeating: "x", count: StructuredOutputPlan.maxSchemaBytes))])
        #expect(throws: APIError.self) {
            try StructuredOutputPlan.make(format: .json(schema: big), tools: [], choice: .auto, parallelToolCalls: true)
        }
    }
}
