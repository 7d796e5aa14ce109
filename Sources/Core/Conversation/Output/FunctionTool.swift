/// One function a request offers the model: an entry of `tools`.
public struct FunctionTool: Equatable, Sendable {
    public var name: String
    public var description: String?
    /// The JSON Schema of the call's arguments (`{"type":"object","properties":{}}` when not given).
    public var parameters: JSONValue

    public init(name: String, description: String? = nil, parameters: JSONValue = FunctionTool.noParameters) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    public static let noParameters = JSONValue.object(["type": .string("object"), "properties": .object([:])])

    /// The `tools` field: an array of `{"type":"function","function":{"name","description"?,"parameters"?,"strict"?}}`.
    /// An empty array offers nothing, as if the field were absent.
    static func decodeList(_ value: JSONValue?) throws(APIError) -> [FunctionTool] {
        let entries: [JSONValue]
        switch value {
        case nil, .null: return []
        case .array(let array): entries = array
        case let other?: throw .invalidRequest("tools must be an array, not \(other.typeName)")
        }
        var tools: [FunctionTool] = []
        for (index, entry) in entries.enumerated() {
            let tool = try decode(entry, at: "tools[\(index)]")
            if tools.contains(where: { $0.name == tool.name }) {
                throw .invalidRequest("tools[\(index)].function.name '\(tool.name)' is offered twice")
            }
            tools.append(tool)
        }
        return tools
    }

    static func decode(_ entry: JSONValue, at place: String) throws(APIError) -> FunctionTool {
        guard case .object(let fields) = entry else { throw .invalidRequest("\(place) must be an object, not \(entry.typeName)") }
        guard fields["type"] == .string("function") else { throw .invalidRequest("\(place).type must be \"function\"") }
        guard case .object(let function)? = fields["function"] else { throw .invalidRequest("\(place).function must be an object") }
        guard case .string(let name)? = function["name"], AnswerFormat.isValidName(name) else {
            throw .invalidRequest("\(place).function.name must be 1 to 64 letters, digits, '_' or '-'")
        }
        let description = try ChatCompletionDecoder.optionalString(function["description"], name: "\(place).function.description")
        _ = try ChatCompletionDecoder.optionalBoolean(function["strict"], name: "\(place).function.strict")
        var parameters = noParameters
        switch function["parameters"] {
        case nil, .null: break
        case .object(let schema):
            // The arguments are always an object: OpenAI sends them as a JSON object's text.
            if let type = schema["type"], type != .string("object") {
                throw .invalidRequest("\(place).function.parameters must describe an object (type \"object\")")
            }
            parameters = .object(schema)
            try JSONSchemaCheck.check(parameters, at: "\(place).function.parameters")
        case let other?: throw .invalidRequest("\(place).function.parameters must be an object, not \(other.typeName)")
        }
        return FunctionTool(name: name, description: description, parameters: parameters)
    }
}
