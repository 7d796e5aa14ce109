/// One turn of a conversation as every dialect's decoder leaves it: `developer` and instructions are
/// folded into `system`, content is text and images in the order they came, a function's result names
/// the call it answers.
public struct Turn: Equatable, Sendable {
    public enum Role: String, Sendable {
        case system, user, assistant, tool
    }

    /// A piece of a turn's content.
    public enum Part: Equatable, Sendable {
        case text(String)
        case image(ImagePart)
    }

    public var role: Role
    /// The content, in order; a turn's text parts are joined by line breaks.
    public var parts: [Part]
    /// An assistant turn's function calls, as the client sends them back.
    public var toolCalls: [ToolCall]
    /// A `tool` turn (a function's result): the call it answers.
    public var toolCallID: String?
    /// A `tool` turn whose function failed (the Messages API's `is_error`).
    public var isError: Bool

    /// A turn of text alone; empty for an assistant message that only called functions.
    public init(role: Role, text: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil, isError: Bool = false) {
        self.init(role: role, parts: [.text(text)], toolCalls: toolCalls, toolCallID: toolCallID, isError: isError)
    }

    public init(role: Role, parts: [Part], toolCalls: [ToolCall] = [], toolCallID: String? = nil, isError: Bool = false) {
        self.role = role
        self.parts = parts
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.isError = isError
    }

    /// The turn's text parts, joined by line breaks (its images left out).
    public var text: String {
        parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n")
    }
}
