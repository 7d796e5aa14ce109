/// What a run answered, whatever dialect asked: text (or JSON text), function calls, or both, and
/// the tokens it took. Each dialect writes it in its own envelope.
public struct RunAnswer: Equatable, Sendable {
    /// `nil` when the answer is only calls.
    public var content: String?
    public var toolCalls: [ToolCall]
    public var usage: TokenUsage

    public init(content: String?, toolCalls: [ToolCall] = [], usage: TokenUsage = .zero) {
        self.content = content
        self.toolCalls = toolCalls
        self.usage = usage
    }

    /// Why the answer ended, in chat completions' words: `tool_calls` when the model calls functions,
    /// else `stop`.
    public var finishReason: String { toolCalls.isEmpty ? "stop" : "tool_calls" }
}
