/// The Responses API's stream, as server-sent events (`event: TYPE` and `data: {…}`, each with its
/// `sequence_number`): `response.created`, `response.in_progress`, then the message item (added, its
/// `output_text` part added, text deltas, text done, part done, item done), each function call item
/// (added, arguments delta and done, item done), and `response.completed` with the whole response —
/// or `response.failed`. The item events are what Codex and the Agents SDK read; the openai SDK's
/// stream helper wants `response.created` first and each item added before its deltas.
final class ResponseEvents: AnswerEventEncoder {
    let response: ResponseObject
    private var sequence: Int64 = 0
    /// The message item was added (its text has begun streaming).
    private var messageOpen = false

    init(response: ResponseObject) {
        self.response = response
    }

    func opening() -> [UInt8] {
        let skeleton = response.json(status: .inProgress)
        return event("response.created", ["response": skeleton]) + event("response.in_progress", ["response": skeleton])
    }

    func text(_ piece: [UInt8]) -> [UInt8] {
        openMessage() + event("response.output_text.delta", textPlace([
            "delta": .string(String(decoding: piece, as: UTF8.self)), "logprobs": .array([]),
        ]))
    }

    func closing(_ answer: RunAnswer, textSent: Bool) -> [UInt8] {
        // The items as the response object holds them: each event below carries one, done.
        let output = response.items(of: answer)
        var events: [UInt8] = []
        var next = output.startIndex
        if let content = answer.content {
            events += openMessage()
            if !textSent && !content.isEmpty {
                events += event("response.output_text.delta", textPlace(["delta": .string(content), "logprobs": .array([])]))
            }
            events += event("response.output_text.done", textPlace(["text": .string(content), "logprobs": .array([])]))
            events += event("response.content_part.done", textPlace(["part": ResponseObject.textPart(content)]))
            events += event("response.output_item.done", ["output_index": .integer(0), "item": output[next]])
            next += 1
        }
        for call in answer.toolCalls {
            let index = JSONValue.integer(Int64(next))
            let itemID = JSONValue.string(ResponseObject.itemID(of: call))
            events += event("response.output_item.added", [
                "output_index": index, "item": response.functionCallItem(call, arguments: "", status: .inProgress),
            ])
            events += event("response.function_call_arguments.delta", ["item_id": itemID, "output_index": index, "delta": .string(call.arguments)])
            events += event("response.function_call_arguments.done", ["item_id": itemID, "output_index": index, "arguments": .string(call.arguments)])
            events += event("response.output_item.done", ["output_index": index, "item": output[next]])
            next += 1
        }
        return events + event("response.completed", ["response": response.json(status: .completed, output: output, usage: answer.usage)])
    }

    func failure(_ error: APIError) -> [UInt8] {
        event("response.failed", ["response": response.json(status: .failed, error: error)])
    }

    /// The message item and its text part, added once.
    private func openMessage() -> [UInt8] {
        guard !messageOpen else { return [] }
        messageOpen = true
        return event("response.output_item.added", ["output_index": .integer(0), "item": response.messageItem(text: nil, status: .inProgress)])
            + event("response.content_part.added", textPlace(["part": ResponseObject.textPart("")]))
    }

    /// The fields that place an event in the message's text part, with `fields`.
    private func textPlace(_ fields: JSONObject) -> JSONObject {
        var place: JSONObject = ["item_id": .string(response.messageID), "output_index": .integer(0), "content_index": .integer(0)]
        for (key, value) in fields { place[key] = value }
        return place
    }

    private func event(_ type: String, _ fields: JSONObject) -> [UInt8] {
        var object: JSONObject = ["type": .string(type), "sequence_number": .integer(sequence)]
        for (key, value) in fields { object[key] = value }
        sequence += 1
        var bytes = Array("event: \(type)\ndata: ".utf8)
        JSONValue.object(object).append(to: &bytes)
        bytes += Array("\n\n".utf8)
        return bytes
    }
}
