/// What a run answered, whatever dialect asked: text (or JSON text), function calls, or both, and
/// what the CLI reported about it. Each dialect writes it in its own envelope.
public struct RunAnswer: Equatable, Sendable {
    /// `nil` when the answer is only calls.
    public var content: String?
    public var toolCalls: [ToolCall]
    public var usage: TokenUsage
    /// The CLI session the run wrote (a run that keeps its session); `nil` otherwise.
    public var sessionID: String?

    public init(content: String?, toolCalls: [ToolCall] = [], usage: TokenUsage = .zero, sessionID: String? = nil) {
        self.content = content
        self.toolCalls = toolCalls
        self.usage = usage
        self.sessionID = sessionID
    }

    /// Why the answer ended, in chat completions' words: `tool_calls` when the model calls functions,
    /// else `stop`.
    public var finishReason: String { toolCalls.isEmpty ? "stop" : "tool_calls" }
}
