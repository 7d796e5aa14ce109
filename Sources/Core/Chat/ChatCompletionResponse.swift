/// The OpenAI chat-completions envelope for one answer.
public struct ChatCompletionResponse: Encodable, Equatable, Sendable {
    public struct Message: Encodable, Equatable, Sendable {
        public var role = "assistant"
        public var content: String
    }

    public struct Choice: Encodable, Equatable, Sendable {
        public var index = 0
        public var message: Message
        public var finish_reason = "stop"
    }

    public struct Usage: Encodable, Equatable, Sendable {
        public var prompt_tokens: Int
        public var completion_tokens: Int
        public var total_tokens: Int
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
    public init(id: String, created: Int64, model: String, text: String, usage: TokenUsage) {
        self.id = "chatcmpl-" + id
        self.created = created
        self.model = model
        self.choices = [Choice(message: Message(content: text))]
        self.usage = Usage(
            prompt_tokens: usage.promptTokens,
            completion_tokens: usage.completionTokens,
            total_tokens: usage.promptTokens + usage.completionTokens
        )
    }

    /// The JSON body. A long answer is spliced in as escaped bytes: the encoder writes the envelope
    /// around an empty content, whose `"content":""` can only be that key (any `"` inside a string is
    /// escaped), and ``JSONText`` writes the text, byte for byte what the encoder would have written.
    public var body: [UInt8] {
        guard let text = choices.first?.message.content, text.utf8.count >= Self.spliceThreshold else { return JSONBody.encode(self) }
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
