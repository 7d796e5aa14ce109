/// The Messages API's stream, as server-sent events with `event:` lines (the anthropic SDK skips any
/// event without one): `message_start`, `ping`, then each content block (`content_block_start`, its
/// deltas — `text_delta`, or one `input_json_delta` with a call's whole input — and
/// `content_block_stop`), `message_delta` (stop reason, usage) and `message_stop`; a run that fails after
/// the stream began ends with an `error` event in the API's error shape.
final class MessageEvents: AnswerEventEncoder {
    let message: MessageObject
    /// The index of the next content block.
    private var nextIndex = 0
    /// The text block was started (its text has begun streaming).
    private var textOpen = false

    init(message: MessageObject) {
        self.message = message
    }

    func opening() -> [UInt8] {
        event("message_start", ["message": message.message(content: [], stopReason: .null, usage: .zero)]) + event("ping", [:])
    }

    func text(_ piece: [UInt8]) -> [UInt8] {
        openText() + textDelta(String(decoding: piece, as: UTF8.self))
    }

    func closing(_ answer: RunAnswer, textSent: Bool) -> [UInt8] {
        var events: [UInt8] = []
        if let content = answer.content, !content.isEmpty || answer.toolCalls.isEmpty {
            events += openText()
            if !textSent && !content.isEmpty { events += textDelta(content) }
        }
        if textOpen { events += event("content_block_stop", ["index": .integer(Int64(nextIndex - 1))]) }
        for call in answer.toolCalls {
            let index = JSONValue.integer(Int64(nextIndex))
            nextIndex += 1
            events += event("content_block_start", ["index": index, "content_block": MessageObject.toolUseBlock(call, input: .object([:]))])
            events += event("content_block_delta", ["index": index, "delta": .object([
                "type": .string("input_json_delta"), "partial_json": .string(MessageObject.input(of: call).compactText),
            ])])
            events += event("content_block_stop", ["index": index])
        }
        events += event("message_delta", [
            "delta": .object(["stop_reason": .string(MessageObject.stopReason(of: answer)), "stop_sequence": .null]),
            "usage": MessageObject.usage(answer.usage),
        ])
        return events + event("message_stop", [:])
    }

    func failure(_ error: APIError) -> [UInt8] {
        var bytes = Array("event: error\ndata: ".utf8)
        AnthropicErrorBody(error).value.append(to: &bytes)
        return bytes + Array("\n\n".utf8)
    }

    /// The text block, started once (it is the first block: calls come after the text).
    private func openText() -> [UInt8] {
        guard !textOpen else { return [] }
        textOpen = true
        nextIndex += 1
        return event("content_block_start", ["index": .integer(0), "content_block": MessageObject.textBlock("")])
    }

    private func textDelta(_ text: String) -> [UInt8] {
        event("content_block_delta", ["index": .integer(0), "delta": .object(["type": .string("text_delta"), "text": .string(text)])])
    }

    private func event(_ type: String, _ fields: JSONObject) -> [UInt8] {
        var object: JSONObject = ["type": .string(type)]
        for (key, value) in fields { object[key] = value }
        var bytes = Array("event: \(type)\ndata: ".utf8)
        JSONValue.object(object).append(to: &bytes)
        bytes += Array("\n\n".utf8)
        return bytes
    }
}
