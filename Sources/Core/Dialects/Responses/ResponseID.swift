/// Response ids: `resp_` and letters, digits and `_` (the run's request id, or a background job's id).
public enum ResponseID {
    /// The id of the response a run with this request id answers.
    public static func make(requestID: String) -> String { "resp_" + requestID }

    /// Whether a path's or a field's id could name a stored response (and a file).
    public static func isValid(_ id: String) -> Bool {
        id.hasPrefix("resp_") && (6...100).contains(id.utf8.count) && id.utf8.dropFirst(5).allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F
        }
    }
}
