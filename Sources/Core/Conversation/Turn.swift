/// One turn of a conversation as every dialect's decoder leaves it: `developer` and instructions are
/// folded into `system`, content is plain text, a function's result names the call it answers.
public struct Turn: Equatable, Sendable {
    public enum Role: String, Sendable {
        case system, user, assistant, tool
    }

    public var role: Role
    /// The text; empty for an assistant message that only called functions.
    public var text: String
    /// An assistant turn's function calls, as the client sends them back.
    public var toolCalls: [ToolCall]
    /// A `tool` turn (a function's result): the call it answers.
    public var toolCallID: String?

    public init(role: Role, text: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.text = text
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }
}
