import Testing
@testable import Core

@Suite struct JSONKeyOrderTests {
    func json(_ text: String) throws -> JSONValue { try #require(JSONValue.parse(Array(text.utf8))) }

    @Test(arguments: [
        #"{"b":1,"a":2}"#,
        #"{"z":{"y":[{"b":null,"a":true}],"x":"w"},"a":-1.5,"m":{}}"#,
    ])
    func parseThenCompactTextKeepsTheText(text: String) throws {
        #expect(try json(text).compactText == text)
    }

    @Test func aSchemaGoesToTheCLIInTheClientsOrder() throws {
        let schema = try json(#"{"type":"object","properties":{"reasoning":{"type":"string"},"answer":{"type":"string"}},"required":["reasoning","answer"]}"#)
        let plan = try #require(try StructuredOutputPlan.make(format: .json(schema: schema), tools: [], choice: .auto, parallelToolCalls: true))
        #expect(plan.schemaText == #"{"type":"object","properties":{"reasoning":{"type":"string"},"answer":{"type":"string"}},"required":["reasoning","answer"]}"#)
    }

    @Test func aWrappedSchemaAndItsMovedReferencesKeepTheirOrder() throws {
        let schema = try json(##"{"type":"array","items":{"$ref":"#/$defs/Step","description":"d"},"$defs":{"Step":{"type":"object","properties":{"why":{"type":"string"},"what":{"type":"string"}}}}}"##)
        let plan = try #require(try StructuredOutputPlan.make(format: .json(schema: schema), tools: [], choice: .auto, parallelToolCalls: true))
        #expect(plan.schemaText == ##"{"type":"object","properties":{"value":{"type":"array","items":{"$ref":"#/properties/value/$defs/Step","description":"d"},"##
                + ##""$defs":{"Step":{"type":"object","properties":{"why":{"type":"string"},"what":{"type":"string"}}}}}},"##
                + ##""required":["value"],"additionalProperties":false}"##)
    }

    @Test func functionParametersAndArgumentsKeepTheirOrder() throws {
        let tool = FunctionTool(name: "plan", parameters: try json(#"{"type":"object","properties":{"steps":{"type":"array"},"goal":{"type":"string"}}}"#))
        let plan = try #require(try StructuredOutputPlan.make(format: .text, tools: [tool], choice: .required, parallelToolCalls: true))
        #expect(plan.schemaText.contains(#""arguments":{"type":"object","properties":{"steps":{"type":"array"},"goal":{"type":"string"}}}"#))
        let answer = try plan.answer(from: #"{"tool_calls":[{"name":"plan","arguments":{"steps":[],"goal":"g"}}]}"#, newCallID: { "1" })
        #expect(answer.toolCalls.map(\.arguments) == [#"{"steps":[],"goal":"g"}"#])
    }
}
