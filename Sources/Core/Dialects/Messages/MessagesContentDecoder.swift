/// The Messages API's `system` and `messages` as turns. A message's content is a string or blocks:
/// `text` and `image` (user); `tool_use` (assistant: a function call with its `input` object);
/// `tool_result` (user: a call's result, its content a string or `text` and `image` blocks, `is_error`
/// kept); `thinking` and `redacted_thinking` blocks of earlier answers are accepted and not replayed.
/// A `system`-role message (Claude Code sends one) is an instruction. `cache_control` and `citations`
/// are accepted anywhere and mean nothing here.
enum MessagesContentDecoder {
    /// What error messages call the turns and a result's call id.
    static let fieldNames = PromptBuilder.FieldNames(turns: "messages", callID: "tool_use_id")

    /// Block types accepted and left out of the prompt.
    static let skippedBlockTypes: Set<String> = ["thinking", "redacted_thinking"]

    /// `system`: a string or a list of `text` blocks.
    static func system(_ value: JSONValue?) throws(APIError) -> [Turn] {
        switch value {
        case nil, .null?: return []
        case .string?, .array?: return [try instructions(value, at: "system", otherwise: "")]
        case let other?:
            throw .invalidRequest("system must be a string or an array of text blocks, not \(other.typeName)")
        }
    }

    /// Instructions given as a string or `text` blocks (`system`, a `system`-role message).
    static func instructions(_ value: JSONValue?, at place: String, otherwise: @autoclosure () -> String) throws(APIError) -> Turn {
        let parts = try ContentList.parts(value, at: place, otherwise: otherwise()) { type, fields, blockPlace throws(APIError) in
            guard type == "text" else { throw .invalidRequest("\(blockPlace).type '\(OneLine.clean(type, limit: 64))' is not supported; use text") }
            return .text(try ContentList.string(fields, "text", at: blockPlace))
        }
        let turn = Turn(role: .system, parts: parts)
        try JSONField.checkNoNUL(turn.text, at: place)
        return turn
    }

    static func turns(_ messages: [JSONValue]) throws(APIError) -> [Turn] {
        var turns: [Turn] = []
        // The calls made so far: a result must answer one of them.
        var calls: Set<String> = []
        for (index, raw) in messages.enumerated() {
            let place = "messages[\(index)]"
            guard case .object(let fields) = raw else { throw .invalidRequest("\(place) must be an object, not \(raw.typeName)") }
            guard case .string(let roleName)? = fields["role"] else { throw .invalidRequest("\(place).role must be a string") }
            let content = "\(place).content"
            switch roleName {
            case "user":
                try appendUser(fields["content"], at: content, calls: calls, to: &turns)
            case "assistant":
                let turn = try assistant(fields["content"], at: content)
                calls.formUnion(turn.toolCalls.map(\.id))
                turns.append(turn)
            case "system":
                turns.append(try instructions(fields["content"], at: content, otherwise: "\(content) must be a string or an array of text blocks"))
            default:
                throw .invalidRequest("\(place).role '\(OneLine.clean(roleName, limit: 64))' is not supported; use user or assistant")
            }
        }
        return turns
    }

    /// A user message: its text and images are one user turn; each `tool_result` is a turn of its own,
    /// where it stands among them.
    static func appendUser(_ value: JSONValue?, at place: String, calls: Set<String>, to turns: inout [Turn]) throws(APIError) {
        guard case .array(let blocks)? = value else {
            let parts = try ContentList.parts(value, at: place, otherwise: "\(place) must be a string or an array of content blocks") { _, _, _ in nil }
            let turn = Turn(role: .user, parts: parts)
            try JSONField.checkNoNUL(turn.text, at: place)
            return turns.append(turn)
        }
        guard !blocks.isEmpty else { throw .invalidRequest("\(place) must not be empty") }
        var pending: [Turn.Part] = []
        func flush() throws(APIError) {
            guard !pending.isEmpty else { return }
            let turn = Turn(role: .user, parts: pending)
            try JSONField.checkNoNUL(turn.text, at: place)
            turns.append(turn)
            pending = []
        }
        for (index, block) in blocks.enumerated() {
            let blockPlace = "\(place)[\(index)]"
            if case .object(let fields) = block, fields["type"] == .string("tool_result") {
                try flush()
                turns.append(try toolResult(fields, at: blockPlace, calls: calls))
                continue
            }
            let part = try ContentList.part(block, at: blockPlace) { type, fields, blockPlace throws(APIError) in
                switch type {
                case "text": return .text(try ContentList.string(fields, "text", at: blockPlace))
                case "image": return .image(try image(fields, at: blockPlace))
                case _ where skippedBlockTypes.contains(type): return nil
                default:
                    throw .invalidRequest("\(blockPlace).type '\(OneLine.clean(type, limit: 64))' is not supported; use text, image or tool_result")
                }
            }
            if let part { ContentList.append(part, to: &pending) }
        }
        try flush()
    }

    /// A `tool_result` block: the call it answers (`tool_use_id`), its content (a string, or `text` and
    /// `image` blocks; none is an empty result) and `is_error`.
    static func toolResult(_ fields: JSONObject, at place: String, calls: Set<String>) throws(APIError) -> Turn {
        guard case .string(let id)? = fields["tool_use_id"], !id.isEmpty else {
            throw .invalidRequest("\(place).tool_use_id must be a non-empty string")
        }
        guard calls.contains(id) else {
            throw .invalidRequest("\(place).tool_use_id '\(OneLine.clean(id, limit: 64))' answers no earlier tool_use")
        }
        let isError = try JSONField.optionalBoolean(fields["is_error"], name: "\(place).is_error") ?? false
        var parts: [Turn.Part] = [.text("")]
        if let content = fields["content"], content != .null {
            parts = try ContentList.parts(content, at: "\(place).content", otherwise: "\(place).content must be a string or an array of text and image blocks") {
                type, fields, blockPlace throws(APIError) in
                switch type {
                case "text": return .text(try ContentList.string(fields, "text", at: blockPlace))
                case "image": return .image(try image(fields, at: blockPlace))
                default: throw .invalidRequest("\(blockPlace).type '\(OneLine.clean(type, limit: 64))' is not supported; use text or image")
                }
            }
        }
        let turn = Turn(role: .tool, parts: parts, toolCallID: id, isError: isError)
        try JSONField.checkNoNUL(id + turn.text, at: place)
        return turn
    }

    /// An assistant message: its text, and its `tool_use` blocks as calls.
    static func assistant(_ value: JSONValue?, at place: String) throws(APIError) -> Turn {
        var calls: [ToolCall] = []
        let parts = try ContentList.parts(value, at: place, otherwise: "\(place) must be a string or an array of content blocks") {
            type, fields, blockPlace throws(APIError) in
            switch type {
            case "text": return .text(try ContentList.string(fields, "text", at: blockPlace))
            case "tool_use":
                guard case .string(let id)? = fields["id"], !id.isEmpty else { throw .invalidRequest("\(blockPlace).id must be a non-empty string") }
                guard case .string(let name)? = fields["name"], !name.isEmpty else {
                    throw .invalidRequest("\(blockPlace).name must be a non-empty string")
                }
                guard case .object(let input)? = fields["input"] else { throw .invalidRequest("\(blockPlace).input must be an object") }
                calls.append(ToolCall(id: id, name: name, arguments: JSONValue.object(input).compactText))
                return nil
            case _ where skippedBlockTypes.contains(type): return nil
            case "image": throw ContentList.imageRefused(at: blockPlace)
            default:
                throw .invalidRequest("\(blockPlace).type '\(OneLine.clean(type, limit: 64))' is not supported; use text, tool_use or thinking")
            }
        }
        let turn = Turn(role: .assistant, parts: parts, toolCalls: calls)
        try JSONField.checkNoNUL(turn.text + calls.map { $0.id + $0.name + $0.arguments }.joined(), at: place)
        return turn
    }

    /// An `image` block: `source` `{"type": "base64", "media_type", "data"}` or `{"type": "url", "url"}`.
    static func image(_ fields: JSONObject, at place: String) throws(APIError) -> ImagePart {
        guard case .object(let source)? = fields["source"] else { throw .invalidRequest("\(place).source must be an object") }
        switch source["type"] {
        case .string("base64")?:
            let mediaType = try ContentList.string(source, "media_type", at: "\(place).source")
            return ImagePart(.base64(mediaType: mediaType, data: try ContentList.string(source, "data", at: "\(place).source")), at: place)
        case .string("url")?:
            return ImagePart(.url(try ContentList.string(source, "url", at: "\(place).source")), at: place)
        default:
            throw .invalidRequest("\(place).source.type must be base64 or url (uploaded files are not supported)")
        }
    }
}
