/// What the answer must be: free text or a schema's value (``AnswerFormat``), and the functions the
/// model may call instead of or besides answering.
public struct OutputContract: Equatable, Sendable {
    public var format: AnswerFormat
    /// The functions offered; empty when none.
    public var tools: [FunctionTool]
    public var toolChoice: ToolChoice
    public var parallelToolCalls: Bool

    public init(format: AnswerFormat = .text, tools: [FunctionTool] = [], toolChoice: ToolChoice = .auto, parallelToolCalls: Bool = true) {
        self.format = format
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
    }

    /// How the run's answer is shaped; `nil` for a plain text run.
    public func plan() throws(APIError) -> StructuredOutputPlan? {
        try StructuredOutputPlan.make(format: format, tools: tools, choice: toolChoice, parallelToolCalls: parallelToolCalls)
    }
}
