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

    init(_ line: [UInt8]) {
        guard case .object(let object)? = JSONValue.parse(line), case .string(let type)? = object["type"] else {
            self = .other
            return
        }
        let topLevel = (object["parent_tool_use_id"] ?? .null) == .null
        switch type {
        case "result":
            self = .result
        case "stream_event" where topLevel:
            self = Self.streamEvent(object["event"])
        case "assistant" where topLevel:
            self = Self.assistant(object)
        default:
            self = .other
        }
    }

    private static func streamEvent(_ event: JSONValue?) -> ClaudeStreamLine {
        guard case .object(let event)? = event, case .string(let type)? = event["type"] else { return .other }
        switch type {
        case "message_start":
            guard case .object(let message)? = event["message"], case .string(let id)? = message["id"] else { return .other }
            return .messageStarted(id: id)
        case "content_block_delta":
            guard case .object(let delta)? = event["delta"], delta["type"] == .string("text_delta"),
                  case .string(let text)? = delta["text"] else { return .other }
            return .textDelta(text)
        default:
            return .other
        }
    }

    private static func assistant(_ object: [String: JSONValue]) -> ClaudeStreamLine {
        guard case .object(let message)? = object["message"], case .string(let id)? = message["id"],
              case .array(let content)? = message["content"] else { return .other }
        // The CLI's own message when the API failed: never the model's answer.
        if object["is_api_error_message"] == .bool(true) || message["model"] == .string("<synthetic>") { return .other }
        let texts = content.compactMap { block -> String? in
            guard case .object(let block) = block, block["type"] == .string("text"), case .string(let text)? = block["text"] else { return nil }
            return text
        }
        return texts.isEmpty ? .other : .assistantText(messageID: id, text: texts.joined())
    }
}
