import FoundationEssentials

/// Encodes response bodies with Foundation's JSON encoder.
enum JSONBody {
    private struct ErrorBody: Encodable {
        let error: String
        let detail: String?
    }

    /// `{"error": error, "detail": detail}`; `detail` is left out when nil.
    static func error(_ error: String, detail: String?) -> [UInt8] {
        encode(ErrorBody(error: error, detail: detail))
    }

    /// Encodes a value; sorted keys keep bodies stable for tests and logs.
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding our own plain structs cannot fail; the fallback keeps the request path total.
        guard let data = try? encoder.encode(value) else {
            return Array(#"{"error":"internal error"}"#.utf8)
        }
        return Array(data)
    }
}
