/// Whether and which of the offered functions the model must call.
public enum ToolChoice: Equatable, Sendable {
    /// The model answers in text or calls functions (the default).
    case auto
    /// No function is called: the run is an ordinary text run.
    case none
    /// At least one call.
    case required
    /// Exactly one call, of this function.
    case function(String)

    /// The choice by its word (`auto`, `none`, `required`), as `tool_choice` gives it.
    init(word: String) throws(APIError) {
        switch word {
        case "auto": self = .auto
        case "none": self = .none
        case "required": self = .required
        default:
            throw .invalidRequest("tool_choice '\(OneLine.clean(word, limit: 64))' is not supported; use auto, none, required or a function")
        }
    }

    /// The choice checked against the functions offered: a named function must be one of them, and a
    /// call cannot be required of none.
    func checked(offered tools: [FunctionTool], field: String = "tool_choice") throws(APIError) -> ToolChoice {
        if case .function(let name) = self, !tools.contains(where: { $0.name == name }) {
            throw .invalidRequest("\(field) names '\(OneLine.clean(name, limit: 64))', which tools does not offer")
        }
        if tools.isEmpty && self != .none && self != .auto {
            throw .invalidRequest("\(field) asks for a function call, but tools offers none")
        }
        return self
    }
}
