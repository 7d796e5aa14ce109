/// Checks of one optional request field that every dialect's decoder shares; `null` counts as absent,
/// and a value of the wrong type is a 400 naming the field.
enum JSONField {
    static func optionalBoolean(_ value: JSONValue?, name: String) throws(APIError) -> Bool? {
        switch value {
        case nil, .null: return nil
        case .bool(let flag): return flag
        case let other?: throw .invalidRequest("\(name) must be a boolean, not \(other.typeName)")
        }
    }

    static func optionalString(_ value: JSONValue?, name: String) throws(APIError) -> String? {
        switch value {
        case nil, .null: return nil
        case .string(let text): return text
        case let other?: throw .invalidRequest("\(name) must be a string, not \(other.typeName)")
        }
    }

    static func positiveInteger(_ value: JSONValue?, name: String) throws(APIError) -> Int64? {
        switch value {
        case nil, .null: return nil
        case .integer(let number) where number > 0: return number
        default: throw .invalidRequest("\(name) must be a positive integer")
        }
    }

    /// A probability (`top_p`; the Messages API's `temperature`): a number from 0 to 1.
    static func probability(_ value: JSONValue?, name: String) throws(APIError) -> Double? {
        switch value {
        case nil, .null?: return nil
        case .integer(let number) where (0...1).contains(number): return Double(number)
        case .double(let number) where number >= 0 && number <= 1: return number
        default: throw .invalidRequest("\(name) must be a number from 0 to 1")
        }
    }

    /// Text that goes into the prompt must hold no NUL character (the CLI reads it as a C string).
    static func checkNoNUL(_ text: String, at place: String) throws(APIError) {
        if text.utf8.contains(0) { throw .invalidRequest("\(place) contains a NUL character") }
    }

    /// A sampling temperature: a number from 0 to 2.
    static func temperature(_ value: JSONValue?) throws(APIError) -> Double? {
        switch value {
        case nil, .null: return nil
        case .integer(let value) where (0...2).contains(value): return Double(value)
        case .double(let value) where value >= 0 && value <= 2: return value
        default: throw .invalidRequest("temperature must be a number from 0 to 2")
        }
    }
}
