/// One function a request offers the model.
public struct FunctionTool: Equatable, Sendable {
    public var name: String
    public var description: String?
    /// The JSON Schema of the call's arguments (`{"type":"object","properties":{}}` when not given), in
    /// the client's key order.
    public var parameters: JSONValue

    public init(name: String, description: String? = nil, parameters: JSONValue = FunctionTool.noParameters) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    public static let noParameters = JSONValue.object(["type": .string("object"), "properties": .object([:])])

    /// Adds this function to those offered; a name offered already is a 400 naming the field at
    /// `namePlace`.
    func offer(in tools: inout [FunctionTool], namedAt namePlace: String) throws(APIError) {
        guard !tools.contains(where: { $0.name == name }) else { throw .invalidRequest("\(namePlace) '\(name)' is offered twice") }
        tools.append(self)
    }

    /// A function from the object that holds its `name`, `description`, `parameters` and `strict`
    /// (chat's `tools[i].function`, the Responses API's `tools[i]`), at `place` in the request.
    static func checked(_ definition: JSONValue, at place: String) throws(APIError) -> FunctionTool {
        guard case .object(let function) = definition else { throw .invalidRequest("\(place) must be an object, not \(definition.typeName)") }
        guard case .string(let name)? = function["name"], AnswerFormat.isValidName(name) else {
            throw .invalidRequest("\(place).name must be 1 to 64 letters, digits, '_' or '-'")
        }
        let description = try JSONField.optionalString(function["description"], name: "\(place).description")
        _ = try JSONField.optionalBoolean(function["strict"], name: "\(place).strict")
        var parameters = noParameters
        switch function["parameters"] {
        case nil, .null?: break
        case .object(let schema)?:
            // The arguments are always an object: OpenAI sends them as a JSON object's text.
            if let type = schema["type"], type != .string("object") {
                throw .invalidRequest("\(place).parameters must describe an object (type \"object\")")
            }
            parameters = .object(schema)
            try JSONSchemaCheck.check(parameters, at: "\(place).parameters")
        case let other?: throw .invalidRequest("\(place).parameters must be an object, not \(other.typeName)")
        }
        return FunctionTool(name: name, description: description, parameters: parameters)
    }
}
