/// Whether and which of the offered functions the model must call: `tool_choice`.
public enum ToolChoice: Equatable, Sendable {
    /// The model answers in text or calls functions (the default).
    case auto
    /// No function is called: the run is an ordinary text run.
    case none
    /// At least one call.
    case required
    /// Exactly one call, of this function.
    case function(String)

    /// The `tool_choice` field, checked against the offered functions.
    static func decode(_ value: JSONValue?, offered tools: [FunctionTool]) throws(APIError) -> ToolChoice {
        let choice: ToolChoice
        switch value {
        case nil, .null: return .auto
        case .string("auto"): choice = .auto
        case .string("none"): choice = .none
        case .string("required"): choice = .required
        case .string(let other):
            throw .invalidRequest("tool_choice '\(OneLine.clean(other, limit: 64))' is not supported; use auto, none, required or a function")
        case .object(let fields):
            guard fields["type"] == .string("function"), case .object(let function)? = fields["function"],
                  case .string(let name)? = function["name"] else {
                throw .invalidRequest(#"tool_choice must be "auto", "none", "required" or {"type":"function","function":{"name":…}}"#)
            }
            guard tools.contains(where: { $0.name == name }) else {
                throw .invalidRequest("tool_choice names '\(OneLine.clean(name, limit: 64))', which tools does not offer")
            }
            choice = .function(name)
        case let other?:
            throw .invalidRequest("tool_choice must be a string or an object, not \(other.typeName)")
        }
        if tools.isEmpty && choice != .none && choice != .auto {
            throw .invalidRequest("tool_choice asks for a function call, but tools offers none")
        }
        return choice
    }
}
