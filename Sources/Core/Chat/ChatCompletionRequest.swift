/// A validated OpenAI chat-completions request: only what we act on.
public struct ChatCompletionRequest: Equatable, Sendable {
    public var model: String
    public var messages: [ChatMessage]
    public var maxTokens: Int64?
    public var maxCompletionTokens: Int64?
    public var temperature: Double?
    public var responseFormat: ResponseFormat
    /// The functions offered (`tools`); empty when none.
    public var tools: [FunctionTool]
    public var toolChoice: ToolChoice
    public var parallelToolCalls: Bool
    /// `stream: true`: the answer as server-sent events.
    public var stream: Bool
    /// `stream_options.include_usage`: a last chunk with the run's usage.
    public var includeUsage: Bool

    public init(model: String, messages: [ChatMessage], maxTokens: Int64? = nil, maxCompletionTokens: Int64? = nil,
                temperature: Double? = nil, responseFormat: ResponseFormat = .text, tools: [FunctionTool] = [],
                toolChoice: ToolChoice = .auto, parallelToolCalls: Bool = true, stream: Bool = false, includeUsage: Bool = false) {
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        self.maxCompletionTokens = maxCompletionTokens
        self.temperature = temperature
        self.responseFormat = responseFormat
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.stream = stream
        self.includeUsage = includeUsage
    }

    /// How the run's answer is shaped; `nil` for a plain text run.
    public func structuredOutputPlan() throws(APIError) -> StructuredOutputPlan? {
        try StructuredOutputPlan.make(format: responseFormat, tools: tools, choice: toolChoice, parallelToolCalls: parallelToolCalls)
    }
}
