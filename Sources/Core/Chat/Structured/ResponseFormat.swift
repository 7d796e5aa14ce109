/// What the answer's `content` must be: `response_format`.
public enum ResponseFormat: Equatable, Sendable {
    /// Free text (no `response_format`, or `{"type":"text"}`).
    case text
    /// JSON of this schema: `{"type":"json_schema","json_schema":{"name","schema","strict"?}}`, or
    /// `{"type":"json_object"}` as the schema `{"type":"object"}`.
    case json(schema: JSONValue)

    /// The `response_format` field of a request.
    static func decode(_ value: JSONValue?) throws(APIError) -> ResponseFormat {
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
            return .json(schema: .object(["type": .string("object")]))
        case "json_schema":
            guard case .object(let definition)? = format["json_schema"] else {
                throw .invalidRequest("\(place).json_schema must be an object with name and schema")
            }
            guard case .string(let name)? = definition["name"], isValidName(name) else {
                throw .invalidRequest("\(place).json_schema.name must be 1 to 64 letters, digits, '_' or '-'")
            }
            _ = try ChatCompletionDecoder.optionalBoolean(definition["strict"], name: "\(place).json_schema.strict")
            _ = try ChatCompletionDecoder.optionalString(definition["description"], name: "\(place).json_schema.description")
            guard let schema = definition["schema"], schema != .null else {
                throw .invalidRequest("\(place).json_schema.schema is required")
            }
            try JSONSchemaCheck.check(schema, at: "\(place).json_schema.schema")
            return .json(schema: schema)
        default:
            throw .invalidRequest("\(place).type '\(OneLine.clean(type, limit: 64))' is not supported; use text, json_object or json_schema")
        }
    }

    /// OpenAI's rule for schema and function names: `^[a-zA-Z0-9_-]{1,64}$`.
    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D
        }
    }
}
