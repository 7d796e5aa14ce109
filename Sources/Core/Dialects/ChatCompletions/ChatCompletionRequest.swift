/// A validated OpenAI chat-completions request: only what we act on.
public struct ChatCompletionRequest: Equatable, Sendable {
    public var model: String
    public var messages: [Turn]
    public var maxTokens: Int64?
    public var maxCompletionTokens: Int64?
    public var temperature: Double?
    public var responseFormat: AnswerFormat
    /// The functions offered (`tools`); empty when none.
    public var tools: [FunctionTool]
    public var toolChoice: ToolChoice
    public var parallelToolCalls: Bool
    /// `stream: true`: the answer as server-sent events.
    public var stream: Bool
    /// `stream_options.include_usage`: a last chunk with the run's usage.
    public var includeUsage: Bool
    /// `reasoning_effort`: the CLI's `--effort`.
    public var effort: Effort?

    public init(model: String, messages: [Turn], maxTokens: Int64? = nil, maxCompletionTokens: Int64? = nil,
                temperature: Double? = nil, responseFormat: AnswerFormat = .text, tools: [FunctionTool] = [],
                toolChoice: ToolChoice = .auto, parallelToolCalls: Bool = true, stream: Bool = false, includeUsage: Bool = false,
                effort: Effort? = nil) {
        self.effort = effort
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

    /// The run it asks for.
    public var runRequest: RunRequest {
        RunRequest(model: model, turns: messages,
                   output: OutputContract(format: responseFormat, tools: tools, toolChoice: toolChoice, parallelToolCalls: parallelToolCalls),
                   stream: stream, effort: effort)
    }
}
