/// A chat message after validation: `developer` is folded into `system`, content is plain text.
public struct ChatMessage: Equatable, Sendable {
    public enum Role: String, Sendable {
        case system, user, assistant, tool
    }

    public var role: Role
    /// The text; empty for an assistant message that only called functions.
    public var text: String
    /// An assistant message's function calls (`tool_calls`), as the client sends them back.
    public var toolCalls: [ChatAnswer.ToolCall]
    /// A `tool` message: the call it answers.
    public var toolCallID: String?

    public init(role: Role, text: String, toolCalls: [ChatAnswer.ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.text = text
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }
}
