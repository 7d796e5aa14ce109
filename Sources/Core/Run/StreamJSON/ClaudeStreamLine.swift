import FoundationEssentials

/// What one line of the CLI's `--output-format stream-json --verbose --include-partial-messages`
/// output means for the answer's text (../shared/claude-cli.md, section 2). Only the top-level
/// assistant's text counts: a subagent's lines (`parent_tool_use_id` set), thinking and tool-input
/// deltas, and the CLI's synthetic "API Error: …" message are ``other``.
enum ClaudeStreamLine: Equatable {
    /// An API message begins (`stream_event` `message_start`): a new turn, or a retry of the last.
    case messageStarted(id: String)
    /// A piece of the message's text (`content_block_delta` with a `text_delta`).
    case textDelta(String)
    /// A finished text block of a message (an `assistant` line): the confirmation of a streamed
    /// message, or the whole text of one the CLI fetched without streaming (its fallback after a
    /// failed stream).
    case assistantText(messageID: String, text: String)
    /// The run's result object.
    case result
    /// Anything else: `system` lines, tool results, thinking, pings, tool input.
    case other

    /// The parts of a line that matter here, decoded into fixed types (an order of magnitude cheaper
    /// than a ``JSONValue`` for the thousands of delta lines of a long answer); a line of any other
    /// shape is ``other``.
    private struct Fields: Decodable {
        /// A content block of a message, or a delta of one: both are a type and, for text, the text.
        struct Text: Decodable {
            var type: String?
            var text: String?
        }
        struct Message: Decodable {
            var id: String?
            var model: String?
            var content: [Text]?
        }
        struct Event: Decodable {
            var type: String?
            var message: Message?
            var delta: Text?
        }
        var type: String?
        var event: Event?
        var message: Message?
        var parent_tool_use_id: String?
        var is_api_error_message: Bool?
    }

    init(_ line: [UInt8]) {
        let decoded = line.withUnsafeBytes { buffer -> Fields? in
            guard let base = buffer.baseAddress else { return nil }
            let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: buffer.count, deallocator: .none)
            return try? JSONDecoder().decode(Fields.self, from: data)
        }
        guard let fields = decoded, let type = fields.type else {
            self = .other
            return
        }
        let topLevel = fields.parent_tool_use_id == nil
        switch type {
        case "result":
            self = .result
        case "stream_event" where topLevel:
            self = Self.streamEvent(fields.event)
        case "assistant" where topLevel:
            self = Self.assistant(fields)
        default:
            self = .other
        }
    }

    private static func streamEvent(_ event: Fields.Event?) -> ClaudeStreamLine {
        switch event?.type {
        case "message_start":
            guard let id = event?.message?.id else { return .other }
            return .messageStarted(id: id)
        case "content_block_delta":
            guard let delta = event?.delta, delta.type == "text_delta", let text = delta.text else { return .other }
            return .textDelta(text)
        default:
            return .other
        }
    }

    private static func assistant(_ fields: Fields) -> ClaudeStreamLine {
        guard let message = fields.message, let id = message.id, let content = message.content else { return .other }
        // The CLI's own message when the API failed: never the model's answer.
        if fields.is_api_error_message == true || message.model == "<synthetic>" { return .other }
        let texts = content.compactMap { $0.type == "text" ? $0.text : nil }
        return texts.isEmpty ? .other : .assistantText(messageID: id, text: texts.joined())
    }
}
