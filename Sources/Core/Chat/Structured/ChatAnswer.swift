/// What the assistant answered: text (or JSON text), function calls, or both.
public struct ChatAnswer: Equatable, Sendable {
    /// A function the model asks the caller to run.
    public struct ToolCall: Equatable, Sendable {
        /// `call_…`, for the caller's `role: "tool"` reply.
        public var id: String
        public var name: String
        /// The arguments as a JSON object's text.
        public var arguments: String

        public init(id: String, name: String, arguments: String) {
            self.id = id
            self.name = name
            self.arguments = arguments
        }
    }

    /// `nil` when the answer is only calls.
    public var content: String?
    public var toolCalls: [ToolCall]

    public init(content: String?, toolCalls: [ToolCall] = []) {
        self.content = content
        self.toolCalls = toolCalls
    }

    /// `tool_calls` when the model calls functions, else `stop`.
    public var finishReason: String { toolCalls.isEmpty ? "stop" : "tool_calls" }
}
