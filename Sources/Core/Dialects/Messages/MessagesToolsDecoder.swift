/// The Messages API's `tools` and `tool_choice` as the run's ``OutputContract``: client tools
/// (`name`, `description`, `input_schema`) are functions the model may call, through the same
/// `--json-schema` path as chat's tools. Server tools (a `type` such as `web_search_20250305`) run on
/// Anthropic's side, which this service cannot ask for: a 400 naming the type.
/// `cache_control`, `defer_loading`, `input_examples` and `strict` are accepted and mean nothing here.
enum MessagesToolsDecoder {
    static func contract(tools value: JSONValue?, choice: JSONValue?, format: AnswerFormat) throws(APIError) -> OutputContract {
        var tools: [FunctionTool] = []
        switch value {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                try tool(item, at: "tools[\(index)]").offer(in: &tools, namedAt: "tools[\(index)].name")
            }
        case let other?: throw .invalidRequest("tools must be an array, not \(other.typeName)")
        }
        let (toolChoice, parallel) = try self.choice(choice)
        return OutputContract(format: format, tools: tools, toolChoice: try toolChoice.checked(offered: tools), parallelToolCalls: parallel)
    }

    static func tool(_ item: JSONValue, at place: String) throws(APIError) -> FunctionTool {
        guard case .object(let fields) = item else { throw .invalidRequest("\(place) must be an object, not \(item.typeName)") }
        switch fields["type"] {
        case nil, .null?, .string("custom")?: break
        case .string(let type)?:
            throw .invalidRequest("\(place).type '\(OneLine.clean(type, limit: 64))' is a server tool, which this service cannot run; offer client tools (name, description, input_schema)")
        case let other?: throw .invalidRequest("\(place).type must be a string, not \(other.typeName)")
        }
        guard case .string(let name)? = fields["name"], AnswerFormat.isValidName(name) else {
            throw .invalidRequest("\(place).name must be 1 to 64 letters, digits, '_' or '-'")
        }
        let description = try JSONField.optionalString(fields["description"], name: "\(place).description")
        guard case .object(let schema)? = fields["input_schema"] else { throw .invalidRequest("\(place).input_schema must be an object") }
        if let type = schema["type"], type != .string("object") {
            throw .invalidRequest("\(place).input_schema must describe an object (type \"object\")")
        }
        try JSONSchemaCheck.check(.object(schema), at: "\(place).input_schema")
        return FunctionTool(name: name, description: description, parameters: .object(schema))
    }

    /// `tool_choice`: `{"type": "auto" | "any" | "tool" (with `name`) | "none", "disable_parallel_tool_use"}`.
    static func choice(_ value: JSONValue?) throws(APIError) -> (ToolChoice, parallel: Bool) {
        guard let value, value != .null else { return (.auto, true) }
        guard case .object(let fields) = value else { throw .invalidRequest("tool_choice must be an object, not \(value.typeName)") }
        let parallel = !(try JSONField.optionalBoolean(fields["disable_parallel_tool_use"], name: "tool_choice.disable_parallel_tool_use") ?? false)
        switch fields["type"] {
        case .string("auto")?: return (.auto, parallel)
        case .string("any")?: return (.required, parallel)
        case .string("none")?: return (.none, parallel)
        case .string("tool")?:
            guard case .string(let name)? = fields["name"], !name.isEmpty else {
                throw .invalidRequest("tool_choice.name must name a tool when tool_choice.type is tool")
            }
            return (.function(name), parallel)
        default:
            throw .invalidRequest("tool_choice.type must be auto, any, tool or none")
        }
    }
}
