/// Turns a request body into a ``ChatCompletionRequest`` or an ``APIError`` naming what is wrong.
///
/// Unknown fields are ignored (real clients send `user`, `metadata`, `stream_options`, …); fields whose
/// silent loss would hand the client a wrong answer are refused by name.
public enum ChatCompletionDecoder {
    /// OpenAI's legacy function calling: refused, naming `tools` as the way.
    static let refusedFields = ["functions", "function_call"]

    /// - Parameter allowsStreaming: `stream: true` is served (`--streaming on`); otherwise it is refused
    ///   before anything else is checked, as the original service did.
    public static func decode(_ body: [UInt8], allowsStreaming: Bool = false) throws(APIError) -> ChatCompletionRequest {
        try decode(JSONValue.parseRequestObject(body), allowsStreaming: allowsStreaming)
    }

    static func decode(_ fields: JSONObject, allowsStreaming: Bool = false) throws(APIError) -> ChatCompletionRequest {
        let stream: Bool
        switch fields["stream"] {
        case nil, .null, .bool(false): stream = false
        case .bool(true) where allowsStreaming: stream = true
        case .bool(true): throw .streamingNotSupported
        case let other?: throw .invalidRequest("stream must be a boolean, not \(other.typeName)")
        }
        // Only read with stream: true (OpenAI refuses it otherwise; clients that send it anyway lose nothing).
        var includeUsage = false
        if stream {
            switch fields["stream_options"] {
            case nil, .null?: break
            case .object(let options)?:
                includeUsage = try JSONField.optionalBoolean(options["include_usage"], name: "stream_options.include_usage") ?? false
            case let other?: throw .invalidRequest("stream_options must be an object, not \(other.typeName)")
            }
        }
        for name in refusedFields where fields[name] != nil && fields[name] != .null {
            throw .invalidRequest("\(name) is not supported; use tools and tool_choice")
        }
        let responseFormat = try ChatOutputDecoder.responseFormat(fields["response_format"])
        let tools = try ChatOutputDecoder.tools(fields["tools"])
        let toolChoice = try ChatOutputDecoder.toolChoice(fields["tool_choice"], offered: tools)
        let parallelToolCalls = try JSONField.optionalBoolean(fields["parallel_tool_calls"], name: "parallel_tool_calls") ?? true

        guard case .string(let model)? = fields["model"], !model.isEmpty else {
            throw .invalidRequest("model must be a non-empty string")
        }
        guard case .array(let rawMessages)? = fields["messages"], !rawMessages.isEmpty else {
            throw .invalidRequest("messages must be a non-empty array")
        }
        var messages: [Turn] = []
        for (index, raw) in rawMessages.enumerated() {
            messages.append(try message(raw, at: index))
        }
        switch fields["n"] {
        case nil, .null, .integer(1): break
        default: throw .invalidRequest("n must be 1")
        }
        let temperature = try JSONField.temperature(fields["temperature"])
        return ChatCompletionRequest(
            model: model,
            messages: messages,
            maxTokens: try JSONField.positiveInteger(fields["max_tokens"], name: "max_tokens"),
            maxCompletionTokens: try JSONField.positiveInteger(fields["max_completion_tokens"], name: "max_completion_tokens"),
            temperature: temperature,
            responseFormat: responseFormat,
            tools: tools,
            toolChoice: toolChoice,
            parallelToolCalls: parallelToolCalls,
            stream: stream,
            includeUsage: includeUsage,
            effort: try Effort.decode(fields["reasoning_effort"], name: "reasoning_effort")
        )
    }

    static func message(_ raw: JSONValue, at index: Int) throws(APIError) -> Turn {
        let place = "messages[\(index)]"
        guard case .object(let fields) = raw else {
            throw .invalidRequest("\(place) must be an object, not \(raw.typeName)")
        }
        guard case .string(let roleName)? = fields["role"] else {
            throw .invalidRequest("\(place).role must be a string")
        }
        let role: Turn.Role
        switch roleName {
        case "system", "developer": role = .system
        case "user": role = .user
        case "assistant": role = .assistant
        case "tool": role = .tool
        default:
            throw .invalidRequest("\(place).role '\(String(roleName.prefix(64)))' is not supported")
        }
        var calls: [ToolCall] = []
        if role == .assistant {
            calls = try toolCalls(fields["tool_calls"], place: place)
        }
        // An assistant message that calls functions may have no content.
        var parts: [Turn.Part] = [.text("")]
        if calls.isEmpty || (fields["content"] ?? .null) != .null {
            parts = try content(fields["content"], place: place, allowsImages: role == .user || role == .tool)
        }
        var toolCallID: String?
        if role == .tool {
            guard case .string(let id)? = fields["tool_call_id"], !id.isEmpty else {
                throw .invalidRequest("\(place).tool_call_id must be a non-empty string")
            }
            toolCallID = id
        }
        let turn = Turn(role: role, parts: parts, toolCalls: calls, toolCallID: toolCallID)
        try JSONField.checkNoNUL(turn.text, at: "\(place).content")
        // Calls and ids go into the prompt as well.
        if ([toolCallID ?? ""] + calls.flatMap { [$0.id, $0.name, $0.arguments] }).contains(where: { $0.utf8.contains(0) }) {
            throw .invalidRequest("\(place) has a NUL character in a tool call or its id")
        }
        return turn
    }

    /// An assistant message's `tool_calls`: `[{"id","type":"function","function":{"name","arguments"}}]`.
    static func toolCalls(_ value: JSONValue?, place: String) throws(APIError) -> [ToolCall] {
        let items: [JSONValue]
        switch value {
        case nil, .null?: return []
        case .array(let array)?: items = array
        case let other?: throw .invalidRequest("\(place).tool_calls must be an array, not \(other.typeName)")
        }
        var calls: [ToolCall] = []
        for (index, item) in items.enumerated() {
            let callPlace = "\(place).tool_calls[\(index)]"
            guard case .object(let call) = item, case .string(let id)? = call["id"], !id.isEmpty else {
                throw .invalidRequest("\(callPlace) must be an object with a non-empty id")
            }
            guard case .object(let function)? = call["function"], case .string(let name)? = function["name"], !name.isEmpty,
                  case .string(let arguments)? = function["arguments"] else {
                throw .invalidRequest("\(callPlace).function must hold a name and arguments (a string)")
            }
            calls.append(ToolCall(id: id, name: name, arguments: arguments))
        }
        return calls
    }

    /// A message's content: a string, or `text` parts and (in a user's or a tool's message)
    /// `image_url` parts, whose `image_url` is `{"url", "detail"}` or the URL itself.
    static func content(_ value: JSONValue?, place: String, allowsImages: Bool) throws(APIError) -> [Turn.Part] {
        try ContentList.parts(value, at: "\(place).content",
                              otherwise: "\(place).content must be a string or an array of text and image_url parts") { type, fields, partPlace throws(APIError) in
            switch type {
            case "text":
                return .text(try ContentList.string(fields, "text", at: partPlace))
            case "image_url":
                guard allowsImages else { throw ContentList.imageRefused(at: partPlace) }
                switch fields["image_url"] {
                case .string(let url)?: return .image(try ImagePart.fromURL(url, at: partPlace))
                case .object(let image)?:
                    _ = try JSONField.optionalString(image["detail"], name: "\(partPlace).image_url.detail")
                    return .image(try ImagePart.fromURL(try ContentList.string(image, "url", at: "\(partPlace).image_url"), at: partPlace))
                default:
                    throw .invalidRequest("\(partPlace).image_url must be an object with a url")
                }
            default:
                throw .invalidRequest("\(partPlace) has type '\(String(type.prefix(64)))'; only 'text' and 'image_url' parts are supported")
            }
        }
    }
}
