import FoundationEssentials

/// A parsed JSON document, so that validation can name exactly what is wrong with a body.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses bytes as one JSON document; `nil` when they are not valid JSON.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        // Read in place: claude's answer can be megabytes.
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return nil }
            let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: buffer.count, deallocator: .none)
            return try? JSONDecoder().decode(JSONValue.self, from: data)
        }
    }

    /// Parses a request body that must be one JSON object with no key repeated.
    public static func parseRequestObject(_ body: [UInt8]) throws(APIError) -> [String: JSONValue] {
        guard !body.isEmpty else { throw .invalidRequest("request body is empty") }
        guard let document = parse(body) else { throw .invalidRequest("request body is not valid JSON") }
        guard case .object(let fields) = document else {
            throw .invalidRequest("request body must be a JSON object, not \(document.typeName)")
        }
        switch StrictJSONScanner.firstProblem(in: body) {
        case .duplicateKey(let key)?: throw .invalidRequest("request body repeats the key '\(OneLine.clean(key, limit: 64))'")
        case .trailingComma?: throw .invalidRequest("request body is not valid JSON")
        case nil: break
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

extension JSONValue: Decodable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}
