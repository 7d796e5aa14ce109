/// A validated OpenAI chat-completions request: only what we act on.
public struct ChatCompletionRequest: Equatable, Sendable {
    public var model: String
    public var messages: [ChatMessage]
    public var maxTokens: Int64?
    public var maxCompletionTokens: Int64?
    public var temperature: Double?

    public init(model: String, messages: [ChatMessage], maxTokens: Int64? = nil, maxCompletionTokens: Int64? = nil, temperature: Double? = nil) {
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        self.maxCompletionTokens = maxCompletionTokens
        self.temperature = temperature
    }
}
