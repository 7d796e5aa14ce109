/// The OpenAI chat-completions envelope for one answer.
public struct ChatCompletionResponse: Encodable, Equatable, Sendable {
    public struct Message: Encodable, Equatable, Sendable {
        public var role = "assistant"
        /// `null` (not left out, as OpenAI writes it) when the answer is only function calls.
        public var content: String?
        public var tool_calls: [ToolCall]?

        enum CodingKeys: String, CodingKey { case role, content, tool_calls }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(role, forKey: .role)
            try container.encode(content, forKey: .content)
            try container.encodeIfPresent(tool_calls, forKey: .tool_calls)
        }
    }

    public struct ToolCall: Encodable, Equatable, Sendable {
        public struct Function: Encodable, Equatable, Sendable {
            public var name: String
            /// The arguments as a JSON object's text.
            public var arguments: String
        }

        public var id: String
        public var type = "function"
        public var function: Function
    }

    public struct Choice: Encodable, Equatable, Sendable {
        public var index = 0
        public var message: Message
        public var finish_reason: String
    }

    public struct Usage: Encodable, Equatable, Sendable {
        public struct PromptDetails: Encodable, Equatable, Sendable {
            public var cached_tokens: Int
        }

        public var prompt_tokens: Int
        public var completion_tokens: Int
        public var total_tokens: Int
        public var prompt_tokens_details: PromptDetails

        /// The figures of the CLI's counts (see ``TokenUsage``).
        public init(_ usage: TokenUsage) {
            prompt_tokens = usage.promptTokens
            completion_tokens = usage.completionTokens
            total_tokens = usage.totalTokens
            prompt_tokens_details = PromptDetails(cached_tokens: usage.cachedTokens)
        }
    }

    public var id: String
    public var object = "chat.completion"
    public var created: Int64
    public var model: String
    public var choices: [Choice]
    public var usage: Usage

    /// - Parameters:
    ///   - id: the random part; the envelope's `id` is `chatcmpl-` + id.
    ///   - created: seconds since the epoch.
    public init(id: String, created: Int64, model: String, answer: RunAnswer) {
        self.id = "chatcmpl-" + id
        self.created = created
        self.model = model
        let calls = answer.toolCalls.map { ToolCall(id: $0.id, function: .init(name: $0.name, arguments: $0.arguments)) }
        self.choices = [Choice(message: Message(content: answer.content, tool_calls: calls.isEmpty ? nil : calls),
                               finish_reason: answer.finishReason)]
        self.usage = Usage(answer.usage)
    }

    /// A text answer.
    public init(id: String, created: Int64, model: String, text: String, usage: TokenUsage) {
        self.init(id: id, created: created, model: model, answer: RunAnswer(content: text, usage: usage))
    }

    /// The JSON body. A long answer is spliced in as escaped bytes: the encoder writes the envelope
    /// around an empty content, whose `"content":""` can only be that key (any `"` inside a string is
    /// escaped), and ``JSONText`` writes the text, byte for byte what the encoder would have written.
    public var body: [UInt8] {
        guard let text = choices.first?.message.content ?? nil, text.utf8.count >= Self.spliceThreshold else { return JSONBody.encode(self) }
        var shell = self
        shell.choices[0].message.content = ""
        let envelope = JSONBody.encode(shell)
        let marker = Array(#""content":"""#.utf8)
        guard let start = envelope.firstRange(of: marker)?.lowerBound else { return JSONBody.encode(self) }
        let valueStart = start + marker.count - 2
        var body: [UInt8] = []
        body.reserveCapacity(envelope.count + text.utf8.count + 64)
        body += envelope[..<valueStart]
        JSONText.appendQuoted(text, to: &body)
        body += envelope[(valueStart + 2)...]
        return body
    }

    /// Answers shorter than this go through the encoder whole.
    static let spliceThreshold = 4096
}
