/// How hard the model thinks: the CLI's `--effort`. OpenAI's words map onto the CLI's: `none` and
/// `minimal` (no such level in the CLI) to `low`; `max` is the CLI's own.
public enum Effort: String, Sendable, Equatable, CaseIterable {
    case low, medium, high, xhigh, max

    /// The level for an OpenAI `reasoning_effort` / `reasoning.effort` word; `nil` for any other word.
    public init?(openAIWord word: String) {
        switch word {
        case "none", "minimal": self = .low
        default: self.init(rawValue: word)
        }
    }

    /// The words a request may use, for error messages.
    static let openAIWords = "none, minimal, low, medium, high, xhigh or max"
}

extension Effort {
    /// An optional effort field (`reasoning_effort`, `reasoning.effort`); `null` counts as absent.
    static func decode(_ value: JSONValue?, name: String) throws(APIError) -> Effort? {
        switch value {
        case nil, .null?: return nil
        case .string(let word)?:
            guard let effort = Effort(openAIWord: word) else {
                throw .invalidRequest("\(name) '\(OneLine.clean(word, limit: 64))' is not supported; use \(openAIWords)")
            }
            return effort
        case let other?: throw .invalidRequest("\(name) must be a string, not \(other.typeName)")
        }
    }
}
