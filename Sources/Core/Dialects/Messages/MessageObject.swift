/// The Messages API's answer, a `message`: its `msg_` id, the model asked for, content blocks (`text`,
/// then each call as a `tool_use` block with a `toolu_` id and its `input` object), `stop_reason` and
/// `usage` in the CLI's own four figures.
struct MessageObject: Equatable, Sendable {
    static let idPrefix = "msg_"
    /// What the ids of the answer's calls begin with.
    static let toolUseIDPrefix = "toolu_"

    let id: String
    let model: String

    init(requestID: String, model: String) {
        id = Self.idPrefix + requestID
        self.model = model
    }

    /// The whole message of an answer.
    func json(_ answer: RunAnswer) -> [UInt8] {
        var bytes: [UInt8] = []
        message(content: Self.blocks(of: answer), stopReason: .string(Self.stopReason(of: answer)), usage: answer.usage).append(to: &bytes)
        return bytes
    }

    /// The message with the given content, stop reason and usage: the answer's, or (for a stream's
    /// `message_start`) none yet.
    func message(content: [JSONValue], stopReason: JSONValue, usage: TokenUsage) -> JSONValue {
        .object([
            "id": .string(id), "type": .string("message"), "role": .string("assistant"), "model": .string(model),
            "content": .array(content), "stop_reason": stopReason, "stop_sequence": .null, "usage": Self.usage(usage),
        ])
    }

    /// The content blocks of an answer: its text (also when empty and there are no calls: a message
    /// always says something), then its calls.
    static func blocks(of answer: RunAnswer) -> [JSONValue] {
        var blocks: [JSONValue] = []
        if let content = answer.content, !content.isEmpty || answer.toolCalls.isEmpty { blocks.append(textBlock(content)) }
        blocks += answer.toolCalls.map { toolUseBlock($0, input: input(of: $0)) }
        return blocks
    }

    static func textBlock(_ text: String) -> JSONValue {
        .object(["type": .string("text"), "text": .string(text)])
    }

    static func toolUseBlock(_ call: ToolCall, input: JSONValue) -> JSONValue {
        .object(["type": .string("tool_use"), "id": .string(call.id), "name": .string(call.name), "input": input])
    }

    /// A call's arguments as the `input` object (the plan made them an object's text).
    static func input(of call: ToolCall) -> JSONValue {
        if let value = JSONValue.parse(Array(call.arguments.utf8)), case .object = value { return value }
        return .object([:])
    }

    /// `tool_use` when the model calls functions, else `end_turn`.
    static func stopReason(of answer: RunAnswer) -> String {
        answer.toolCalls.isEmpty ? "end_turn" : "tool_use"
    }

    static func usage(_ usage: TokenUsage) -> JSONValue {
        .object([
            "input_tokens": .integer(Int64(usage.inputTokens)),
            "cache_creation_input_tokens": .integer(Int64(usage.cacheCreationTokens)),
            "cache_read_input_tokens": .integer(Int64(usage.cacheReadTokens)),
            "output_tokens": .integer(Int64(usage.outputTokens)),
        ])
    }
}
