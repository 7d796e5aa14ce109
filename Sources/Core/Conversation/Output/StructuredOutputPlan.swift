/// How a request's `response_format` and `tools` become one `--json-schema` for the CLI (which adds a
/// `StructuredOutput` tool of that schema and returns the model's value, validated), and how that
/// value becomes the answer.
///
/// - A JSON answer whose schema's root is an object: that schema as it is; the value is the content.
/// - Any other root: wrapped as `{"value": schema}` (the CLI's tool takes objects only) and unwrapped.
/// - Functions: `{"content": answer, "tool_calls": [{"name", "arguments"}, …]}`, where each call's
///   `name` is one offered function and its `arguments` that function's `parameters`; with
///   `tool_choice` `required` or a named function only `tool_calls`, at least one (exactly one for a
///   named function, at most one with `parallel_tool_calls: false`).
///
/// Schemas are moved into a larger one, so their local `$ref`s (`#/…`) are rewritten to their new place.
public struct StructuredOutputPlan: Equatable, Sendable {
    public enum Reading: Equatable, Sendable {
        /// The value is the content.
        case whole
        /// The value's `value` member is the content.
        case wrapped
        /// The value holds `content` and/or `tool_calls`; `jsonContent`: content is JSON, not text.
        case toolCalls(jsonContent: Bool)
    }

    /// The schema's compact JSON text: the `--json-schema` argument.
    public var schemaText: String
    public var reading: Reading

    /// The largest schema text we hand the CLI (an argument may hold 128 KiB on Linux).
    public static let maxSchemaBytes = 65_536

    /// The plan for a request; `nil` for a plain text run.
    public static func make(format: AnswerFormat, tools: [FunctionTool], choice: ToolChoice,
                            parallelToolCalls: Bool) throws(APIError) -> StructuredOutputPlan? {
        let calls = choice == .none ? [] : tools
        let schema: JSONValue
        let reading: Reading
        if calls.isEmpty {
            guard case .json(let answer) = format else { return nil }
            if case .object(let fields) = answer, fields["type"] == .string("object") {
                (schema, reading) = (answer, .whole)
            } else {
                schema = object(["value": relocate(answer, to: "/properties/value")], required: ["value"])
                reading = .wrapped
            }
        } else {
            schema = toolCallSchema(format: format, tools: calls, choice: choice, parallel: parallelToolCalls)
            if case .json = format { reading = .toolCalls(jsonContent: true) } else { reading = .toolCalls(jsonContent: false) }
        }
        let text = schema.compactText
        guard text.utf8.count <= maxSchemaBytes else {
            throw .invalidRequest("the output schema (response_format and tools) is \(text.utf8.count) bytes of JSON; the limit is \(maxSchemaBytes)")
        }
        return StructuredOutputPlan(schemaText: text, reading: reading)
    }

    static func toolCallSchema(format: AnswerFormat, tools: [FunctionTool], choice: ToolChoice, parallel: Bool) -> JSONValue {
        var offered = tools
        if case .function(let name) = choice { offered = tools.filter { $0.name == name } }
        let itemsPointer = "/properties/tool_calls/items"
        var items: [JSONValue] = []
        for (index, tool) in offered.enumerated() {
            let pointer = offered.count == 1 ? itemsPointer : "\(itemsPointer)/anyOf/\(index)"
            var call = objectFields(["name": .object(["const": .string(tool.name)]),
                                     "arguments": relocate(tool.parameters, to: pointer + "/properties/arguments")],
                                    required: ["name", "arguments"])
            if let description = tool.description { call["description"] = .string(description) }
            items.append(.object(call))
        }
        var list: JSONObject = [
            "type": .string("array"),
            "description": .string("Functions for the caller to run, with their arguments; their results come back in a later request."),
            "items": items.count == 1 ? items[0] : .object(["anyOf": .array(items)]),
            "minItems": .integer(1),
        ]
        let (mustCall, atMostOne): (Bool, Bool)
        switch choice {
        case .function: (mustCall, atMostOne) = (true, true)
        case .required: (mustCall, atMostOne) = (true, !parallel)
        case .auto, .none: (mustCall, atMostOne) = (false, !parallel)
        }
        if atMostOne { list["maxItems"] = .integer(1) }
        if mustCall { return object(["tool_calls": .object(list)], required: ["tool_calls"]) }
        let content: JSONValue
        switch format {
        case .text: content = .object(["type": .string("string"), "description": .string("Your answer to the user, in text.")])
        case .json(let answer): content = relocate(answer, to: "/properties/content")
        }
        var root = objectFields(["content": content, "tool_calls": .object(list)], required: [])
        root["minProperties"] = .integer(1)
        return .object(root)
    }

    /// `{"type":"object","properties":…,"required":…,"additionalProperties":false}`.
    static func object(_ properties: JSONObject, required: [String]) -> JSONValue {
        .object(objectFields(properties, required: required))
    }

    static func objectFields(_ properties: JSONObject, required: [String]) -> JSONObject {
        var fields: JSONObject = ["type": .string("object"), "properties": .object(properties)]
        if !required.isEmpty { fields["required"] = .array(required.map { .string($0) }) }
        fields["additionalProperties"] = .bool(false)
        return fields
    }

    /// The schema as it must read at `pointer` inside another: local `$ref`s point below it, and a
    /// `$schema` (allowed at a document's root only) is dropped.
    static func relocate(_ schema: JSONValue, to pointer: String) -> JSONValue {
        guard case .object(var fields) = schema else { return schema }
        fields["$schema"] = nil
        return rewriteReferences(.object(fields), pointer: pointer, depth: 0)
    }

    static func rewriteReferences(_ value: JSONValue, pointer: String, depth: Int) -> JSONValue {
        guard depth < JSONSchemaCheck.maxDepth * 2 else { return value }
        switch value {
        case .object(var fields):
            for (key, member) in fields {
                if key == "$ref", case .string(let reference) = member, reference.hasPrefix("#") {
                    fields[key] = .string("#" + pointer + reference.dropFirst())
                } else {
                    fields[key] = rewriteReferences(member, pointer: pointer, depth: depth + 1)
                }
            }
            return .object(fields)
        case .array(let items):
            return .array(items.map { rewriteReferences($0, pointer: pointer, depth: depth + 1) })
        default:
            return value
        }
    }

    /// The answer in the run's value (its compact JSON text). The CLI has checked the value against the
    /// schema; a value that still does not fit is a failed run.
    public func answer(from text: String, newCallID: () -> String) throws(APIError) -> RunAnswer {
        func parsedObject() throws(APIError) -> JSONObject {
            guard case .object(let value)? = JSONValue.parse(Array(text.utf8)) else {
                throw .executionFailed(detail: "structured output is not a JSON object")
            }
            return value
        }
        switch reading {
        case .whole:
            return RunAnswer(content: text)
        case .wrapped:
            guard let inner = try parsedObject()["value"] else { throw .executionFailed(detail: "structured output has no value") }
            return RunAnswer(content: inner.compactText)
        case .toolCalls(let jsonContent):
            let value = try parsedObject()
            var content: String?
            switch value["content"] {
            case nil, .null: content = nil
            case .string(let answer)? where !jsonContent: content = answer
            case let answer? where jsonContent: content = answer.compactText
            default: throw .executionFailed(detail: "structured output's content is not text")
            }
            var calls: [ToolCall] = []
            if case .array(let items)? = value["tool_calls"] {
                for item in items {
                    guard case .object(let call) = item, case .string(let name)? = call["name"], case .object? = call["arguments"],
                          let arguments = call["arguments"] else {
                        throw .executionFailed(detail: "structured output holds a function call without a name and arguments")
                    }
                    calls.append(ToolCall(id: newCallID(), name: name, arguments: arguments.compactText))
                }
            }
            guard content != nil || !calls.isEmpty else {
                throw .executionFailed(detail: "structured output holds neither content nor tool_calls")
            }
            return RunAnswer(content: content, toolCalls: calls)
        }
    }
}
