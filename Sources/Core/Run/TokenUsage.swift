/// Token counts as the chat-completions `usage` object reports them.
public struct TokenUsage: Sendable, Equatable {
    /// Input tokens, cache creation and cache reads included.
    public var promptTokens: Int
    public var completionTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    public static let zero = TokenUsage(promptTokens: 0, completionTokens: 0)
}
