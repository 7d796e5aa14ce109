/// Checks that a JSON value is a usable JSON Schema before a run is spent on it: the shape of every
/// keyword it knows (draft 2020-12 and draft-07 names), at any depth. What it does not know it lets
/// through; the CLI validates the schema fully (Ajv in strict mode: an unknown keyword or a bad
/// `pattern` is refused too) and its refusal is still answered as a bad request.
public enum JSONSchemaCheck {
    static let typeNames: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]
    /// Keywords whose value is one schema.
    static let schemaKeywords = ["additionalProperties", "unevaluatedProperties", "items", "additionalItems",
                                 "unevaluatedItems", "contains", "not", "if", "then", "else", "propertyNames"]
    /// Keywords whose value is a non-empty array of schemas.
    static let schemaListKeywords = ["allOf", "anyOf", "oneOf", "prefixItems"]
    /// Keywords whose value is an object of schemas.
    static let schemaMapKeywords = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]
    static let countKeywords = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
                                "minContains", "maxContains"]
    static let numberKeywords = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
    static let stringKeywords = ["$ref", "$id", "$schema", "$anchor", "$comment", "title", "description", "pattern", "format"]
    /// Deeper than any real schema; keeps the walk's recursion bounded.
    static let maxDepth = 64

    /// Throws a message naming the first problem by its path, such as
    /// `response_format.json_schema.schema.properties.age.type must be …`.
    public static func check(_ schema: JSONValue, at path: String) throws(APIError) {
        guard case .object = schema else { throw .invalidRequest("\(path) must be a JSON Schema object, not \(schema.typeName)") }
        try walk(schema, at: path, depth: 0)
    }

    static func walk(_ schema: JSONValue, at path: String, depth: Int) throws(APIError) {
        guard depth < maxDepth else { throw .invalidRequest("\(path) nests deeper than \(maxDepth) levels") }
        let fields: JSONObject
        switch schema {
        case .bool: return
        case .object(let object): fields = object
        default: throw .invalidRequest("\(path) must be a schema (an object or a boolean), not \(schema.typeName)")
        }
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            let place = "\(path).\(key)"
            switch key {
            case "type": try checkType(value, at: place)
            case "required":
                guard case .array(let names) = value, names.allSatisfy({ if case .string = $0 { true } else { false } }) else {
                    throw .invalidRequest("\(place) must be an array of strings")
                }
                if Set(names.map(\.compactText)).count != names.count { throw .invalidRequest("\(place) repeats a name") }
            case "enum":
                guard case .array(let values) = value, !values.isEmpty else { throw .invalidRequest("\(place) must be a non-empty array") }
            case "multipleOf":
                guard isNumber(value, positive: true) else { throw .invalidRequest("\(place) must be a number above 0") }
            case "uniqueItems":
                guard case .bool = value else { throw .invalidRequest("\(place) must be a boolean") }
            case "items" where value.typeName == "array":
                // Draft-07's tuple form.
                guard case .array(let items) = value else { continue }
                for (index, item) in items.enumerated() { try walk(item, at: "\(place)[\(index)]", depth: depth + 1) }
            case _ where schemaKeywords.contains(key):
                try walk(value, at: place, depth: depth + 1)
            case _ where schemaListKeywords.contains(key):
                guard case .array(let items) = value, !items.isEmpty else { throw .invalidRequest("\(place) must be a non-empty array of schemas") }
                for (index, item) in items.enumerated() { try walk(item, at: "\(place)[\(index)]", depth: depth + 1) }
            case _ where schemaMapKeywords.contains(key):
                guard case .object(let members) = value else { throw .invalidRequest("\(place) must be an object of schemas") }
                for name in members.keys.sorted() {
                    if let member = members[name] { try walk(member, at: "\(place).\(name)", depth: depth + 1) }
                }
            case _ where countKeywords.contains(key):
                guard case .integer(let count) = value, count >= 0 else { throw .invalidRequest("\(place) must be a non-negative integer") }
            case _ where numberKeywords.contains(key):
                guard isNumber(value, positive: false) else { throw .invalidRequest("\(place) must be a number") }
            case _ where stringKeywords.contains(key):
                guard case .string = value else { throw .invalidRequest("\(place) must be a string") }
            default:
                continue
            }
        }
    }

    static func checkType(_ value: JSONValue, at place: String) throws(APIError) {
        let allowed = "one of " + typeNames.sorted().joined(separator: ", ")
        switch value {
        case .string(let name) where typeNames.contains(name): return
        case .array(let names) where !names.isEmpty:
            var seen: Set<String> = []
            for name in names {
                guard case .string(let text) = name, typeNames.contains(text), seen.insert(text).inserted else {
                    throw .invalidRequest("\(place) must list distinct types, each \(allowed)")
                }
            }
        default:
            throw .invalidRequest("\(place) must be \(allowed), or a list of them")
        }
    }

    static func isNumber(_ value: JSONValue, positive: Bool) -> Bool {
        switch value {
        case .integer(let number): !positive || number > 0
        case .double(let number): !positive || number > 0
        default: false
        }
    }
}
