/// The server-sent events of one streamed chat completion, as bytes: `data: {…}` lines of
/// `object: "chat.completion.chunk"` with one `id`, `created` and `model`, in the forms the official
/// SDKs assemble, and the stream's other lines (`[DONE]`, keep-alive comments, the error event).
final class ChatCompletionChunks: AnswerEventEncoder {
    /// `data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":`, written once.
    private let prefix: [UInt8]
    /// `stream_options.include_usage`: a last chunk with the run's usage.
    let includeUsage: Bool

    /// - Parameter id: the random part; the chunks' `id` is `chatcmpl-` + id, as the envelope's.
    init(id: String, created: Int64, model: String, includeUsage: Bool = false) {
        self.includeUsage = includeUsage
        var prefix = Array(#"data: {"id":"#.utf8)
        JSONText.appendQuoted("chatcmpl-" + id, to: &prefix)
        prefix += Array(#","object":"chat.completion.chunk","created":\#(created),"model":"#.utf8)
        JSONText.appendQuoted(model, to: &prefix)
        prefix += Array(#","choices":"#.utf8)
        self.prefix = prefix
    }

    /// The first chunk: the assistant's role.
    func role() -> [UInt8] {
        choice(#"{"role":"assistant","content":""}"#, finishReason: nil)
    }

    /// A piece of the answer's text (whole UTF-8 characters).
    func content(_ text: [UInt8]) -> [UInt8] {
        var delta = Array(#"{"content":"#.utf8)
        text.withUnsafeBufferPointer { JSONText.appendQuoted($0, to: &delta) }
        delta.append(UInt8(ascii: "}"))
        return choice(delta, finishReason: nil)
    }

    /// A function call's first chunk: its place in the list, id and name, no arguments yet.
    func toolCallStart(index: Int, id: String, name: String) -> [UInt8] {
        var call = Array(#"{"tool_calls":[{"index":\#(index),"id":"#.utf8)
        JSONText.appendQuoted(id, to: &call)
        call += Array(#","type":"function","function":{"name":"#.utf8)
        JSONText.appendQuoted(name, to: &call)
        call += Array(#","arguments":""}}]}"#.utf8)
        return choice(call, finishReason: nil)
    }

    /// A piece of a function call's arguments (JSON text).
    func toolCallArguments(index: Int, _ arguments: String) -> [UInt8] {
        var call = Array(#"{"tool_calls":[{"index":\#(index),"function":{"arguments":"#.utf8)
        JSONText.appendQuoted(arguments, to: &call)
        call += Array("}}]}".utf8)
        return choice(call, finishReason: nil)
    }

    /// The chunk that ends the choice: an empty delta and the finish reason.
    func finish(_ reason: String) -> [UInt8] {
        choice("{}", finishReason: reason)
    }

    /// The usage chunk (`stream_options.include_usage`): no choices, the run's usage.
    func usage(_ usage: TokenUsage) -> [UInt8] {
        prefix + Array("[],\"usage\":".utf8) + JSONBody.encode(ChatCompletionResponse.Usage(usage)) + Array("}\n\n".utf8)
    }

    func opening() -> [UInt8] { role() }

    func text(_ piece: [UInt8]) -> [UInt8] { content(piece) }

    /// Whatever of the answer did not stream, its function calls, the finish reason, the usage chunk
    /// when asked for, `[DONE]`.
    func closing(_ answer: RunAnswer, textSent: Bool) -> [UInt8] {
        var events: [UInt8] = []
        if !textSent, let content = answer.content, !content.isEmpty {
            events += self.content(Array(content.utf8))
        }
        for (index, call) in answer.toolCalls.enumerated() {
            events += toolCallStart(index: index, id: call.id, name: call.name)
            events += toolCallArguments(index: index, call.arguments)
        }
        events += finish(answer.finishReason)
        if includeUsage { events += usage(answer.usage) }
        return events + Self.done
    }

    func failure(_ error: APIError) -> [UInt8] {
        let (message, type) = error.streamError
        return Self.error(message: message, type: type)
    }

    /// The end of a stream that succeeded.
    static let done = Array("data: [DONE]\n\n".utf8)

    /// The event that ends a stream that failed (no `[DONE]` follows): the official SDK raises it
    /// as an `APIError` with `message`.
    static func error(message: String, type: String) -> [UInt8] {
        var event = Array(#"data: {"error":{"message":"#.utf8)
        JSONText.appendQuoted(message, to: &event)
        event += Array(#","type":"#.utf8)
        JSONText.appendQuoted(type, to: &event)
        return event + Array("}}\n\n".utf8)
    }

    private func choice(_ delta: String, finishReason: String?) -> [UInt8] {
        choice(Array(delta.utf8), finishReason: finishReason)
    }

    private func choice(_ delta: [UInt8], finishReason: String?) -> [UInt8] {
        var event = prefix
        event.reserveCapacity(prefix.count + delta.count + 64)
        event += Array(#"[{"index":0,"delta":"#.utf8)
        event += delta
        event += Array(#","finish_reason":"#.utf8)
        if let finishReason { JSONText.appendQuoted(finishReason, to: &event) } else { event += Array("null".utf8) }
        event += Array("}]}\n\n".utf8)
        return event
    }
}
