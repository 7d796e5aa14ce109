/// What the answer's text must be: free text, or JSON of a schema.
public enum AnswerFormat: Equatable, Sendable {
    /// Free text.
    case text
    /// JSON of this schema (in the client's key order); a request for any JSON object is the schema
    /// `{"type":"object"}`.
    case json(schema: JSONValue)

    /// The schema a request for "any JSON object" (`json_object`) stands for.
    static let anyObject = AnswerFormat.json(schema: .object(["type": .string("object")]))

    /// A named schema from the object that holds its `name`, `schema`, `strict` and `description`
    /// (chat's `response_format.json_schema`, the Responses API's `text.format`), at `place`.
    static func namedSchema(_ definition: JSONObject, at place: String) throws(APIError) -> AnswerFormat {
        guard case .string(let name)? = definition["name"], isValidName(name) else {
            throw .invalidRequest("\(place).name must be 1 to 64 letters, digits, '_' or '-'")
        }
        _ = try JSONField.optionalBoolean(definition["strict"], name: "\(place).strict")
        _ = try JSONField.optionalString(definition["description"], name: "\(place).description")
        guard let schema = definition["schema"], schema != .null else {
            throw .invalidRequest("\(place).schema is required")
        }
        try JSONSchemaCheck.check(schema, at: "\(place).schema")
        return .json(schema: schema)
    }

    /// OpenAI's rule for schema and function names: `^[a-zA-Z0-9_-]{1,64}$`.
    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D
        }
    }
}
