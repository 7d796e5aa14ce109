/// The CLI's four token counts for a run (summed over its API calls), and the figures the
/// chat-completions `usage` object reports from them.
public struct TokenUsage: Sendable, Equatable {
    /// Input tokens read neither from nor into the prompt cache.
    public var inputTokens: Int
    /// Input tokens written to the prompt cache.
    public var cacheCreationTokens: Int
    /// Input tokens read from the prompt cache.
    public var cacheReadTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int = 0, cacheCreationTokens: Int = 0, cacheReadTokens: Int = 0, outputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.cacheCreationTokens = cacheCreationTokens
        self.cacheReadTokens = cacheReadTokens
        self.outputTokens = outputTokens
    }

    /// Every input token, cached or not: what the model read.
    public var promptTokens: Int { inputTokens + cacheCreationTokens + cacheReadTokens }
    /// `prompt_tokens_details.cached_tokens`: the input read from the cache.
    public var cachedTokens: Int { cacheReadTokens }
    public var completionTokens: Int { outputTokens }
    public var totalTokens: Int { promptTokens + completionTokens }

    public static let zero = TokenUsage()
}
