/// A parsed JSON document, so that validation can name exactly what is wrong with a body. Objects
/// keep their members' order (see ``JSONObject``).
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Parses bytes as one JSON document (see ``JSONParser`` for the rules); `nil` when they are not
    /// valid JSON or an object repeats a key.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        guard let document = JSONParser.parse(bytes), document.repeatedKey == nil else { return nil }
        return document.value
    }

    /// Parses a request body that must be one JSON object with no key repeated.
    public static func parseRequestObject(_ body: [UInt8]) throws(APIError) -> JSONObject {
        guard !body.isEmpty else { throw .invalidRequest("request body is empty") }
        guard let document = JSONParser.parse(body) else { throw .invalidRequest("request body is not valid JSON") }
        guard case .object(let fields) = document.value else {
            throw .invalidRequest("request body must be a JSON object, not \(document.value.typeName)")
        }
        if let key = document.repeatedKey {
            throw .invalidRequest("request body repeats the key '\(OneLine.clean(key, limit: 64))'")
        }
        return fields
    }

    /// A short name of the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
