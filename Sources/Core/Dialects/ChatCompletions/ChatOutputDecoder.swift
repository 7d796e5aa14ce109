/// Chat completions' fields for the answer's shape: `response_format`, `tools`, `tool_choice`.
enum ChatOutputDecoder {
    /// `response_format`: `{"type":"text"}`, `{"type":"json_object"}` or
    /// `{"type":"json_schema","json_schema":{"name","schema","strict"?,"description"?}}`.
    static func responseFormat(_ value: JSONValue?) throws(APIError) -> AnswerFormat {
        let place = "response_format"
        let format: JSONObject
        switch value {
        case nil, .null: return .text
        case .object(let object): format = object
        case let other?: throw .invalidRequest("\(place) must be an object, not \(other.typeName)")
        }
        guard case .string(let type)? = format["type"] else { throw .invalidRequest("\(place).type must be a string") }
        switch type {
        case "text":
            return .text
        case "json_object":
            return AnswerFormat.anyObject
        case "json_schema":
            guard case .object(let definition)? = format["json_schema"] else {
                throw .invalidRequest("\(place).json_schema must be an object with name and schema")
            }
            return try AnswerFormat.namedSchema(definition, at: "\(place).json_schema")
        default:
            throw .invalidRequest("\(place).type '\(OneLine.clean(type, limit: 64))' is not supported; use text, json_object or json_schema")
        }
    }

    /// `tools`: an array of `{"type":"function","function":{"name","description"?,"parameters"?,"strict"?}}`.
    /// An empty array offers nothing, as if the field were absent.
    static func tools(_ value: JSONValue?) throws(APIError) -> [FunctionTool] {
        let entries: [JSONValue]
        switch value {
        case nil, .null: return []
        case .array(let array): entries = array
        case let other?: throw .invalidRequest("tools must be an array, not \(other.typeName)")
        }
        var tools: [FunctionTool] = []
        for (index, entry) in entries.enumerated() {
            let place = "tools[\(index)]"
            guard case .object(let fields) = entry else { throw .invalidRequest("\(place) must be an object, not \(entry.typeName)") }
            guard fields["type"] == .string("function") else { throw .invalidRequest("\(place).type must be \"function\"") }
            guard let function = fields["function"], case .object = function else { throw .invalidRequest("\(place).function must be an object") }
            try FunctionTool.checked(function, at: "\(place).function").offer(in: &tools, namedAt: "\(place).function.name")
        }
        return tools
    }

    /// `tool_choice`: `"auto"`, `"none"`, `"required"` or `{"type":"function","function":{"name"}}`.
    static func toolChoice(_ value: JSONValue?, offered tools: [FunctionTool]) throws(APIError) -> ToolChoice {
        switch value {
        case nil, .null: return .auto
        case .string(let word):
            return try ToolChoice(word: word).checked(offered: tools)
        case .object(let fields):
            guard fields["type"] == .string("function"), case .object(let function)? = fields["function"],
                  case .string(let name)? = function["name"] else {
                throw .invalidRequest(#"tool_choice must be "auto", "none", "required" or {"type":"function","function":{"name":…}}"#)
            }
            return try ToolChoice.function(name).checked(offered: tools)
        case let other?:
            throw .invalidRequest("tool_choice must be a string or an object, not \(other.typeName)")
        }
    }
}
