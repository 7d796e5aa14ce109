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
                includeUsage = try optionalBoolean(options["include_usage"], name: "stream_options.include_usage") ?? false
            case let other?: throw .invalidRequest("stream_options must be an object, not \(other.typeName)")
            }
        }
        for name in refusedFields where fields[name] != nil && fields[name] != .null {
            throw .invalidRequest("\(name) is not supported; use tools and tool_choice")
        }
        let responseFormat = try ResponseFormat.decode(fields["response_format"])
        let tools = try FunctionTool.decodeList(fields["tools"])
        let toolChoice = try ToolChoice.decode(fields["tool_choice"], offered: tools)
        let parallelToolCalls = try optionalBoolean(fields["parallel_tool_calls"], name: "parallel_tool_calls") ?? true

        guard case .string(let model)? = fields["model"], !model.isEmpty else {
            throw .invalidRequest("model must be a non-empty string")
        }
        guard case .array(let rawMessages)? = fields["messages"], !rawMessages.isEmpty else {
            throw .invalidRequest("messages must be a non-empty array")
        }
        var messages: [ChatMessage] = []
        for (index, raw) in rawMessages.enumerated() {
            messages.append(try message(raw, at: index))
        }
        switch fields["n"] {
        case nil, .null, .integer(1): break
        default: throw .invalidRequest("n must be 1")
        }
        let temperature: Double?
        switch fields["temperature"] {
        case nil, .null: temperature = nil
        case .integer(let value) where (0...2).contains(value): temperature = Double(value)
        case .double(let value) where value >= 0 && value <= 2: temperature = value
        default: throw .invalidRequest("temperature must be a number from 0 to 2")
        }
        return ChatCompletionRequest(
            model: model,
            messages: messages,
            maxTokens: try positiveInteger(fields["max_tokens"], name: "max_tokens"),
            maxCompletionTokens: try positiveInteger(fields["max_completion_tokens"], name: "max_completion_tokens"),
            temperature: temperature,
            responseFormat: responseFormat,
            tools: tools,
            toolChoice: toolChoice,
            parallelToolCalls: parallelToolCalls,
            stream: stream,
            includeUsage: includeUsage
        )
    }

    /// An optional boolean field (`null` counts as absent).
    static func optionalBoolean(_ value: JSONValue?, name: String) throws(APIError) -> Bool? {
        switch value {
        case nil, .null: return nil
        case .bool(let flag): return flag
        case let other?: throw .invalidRequest("\(name) must be a boolean, not \(other.typeName)")
        }
    }

    /// An optional string field (`null` counts as absent).
    static func optionalString(_ value: JSONValue?, name: String) throws(APIError) -> String? {
        switch value {
        case nil, .null: return nil
        case .string(let text): return text
        case let other?: throw .invalidRequest("\(name) must be a string, not \(other.typeName)")
        }
    }

    static func positiveInteger(_ value: JSONValue?, name: String) throws(APIError) -> Int64? {
        switch value {
        case nil, .null: return nil
        case .integer(let number) where number > 0: return number
        default: throw .invalidRequest("\(name) must be a positive integer")
        }
    }

    static func message(_ raw: JSONValue, at index: Int) throws(APIError) -> ChatMessage {
        let place = "messages[\(index)]"
        guard case .object(let fields) = raw else {
            throw .invalidRequest("\(place) must be an object, not \(raw.typeName)")
        }
        guard case .string(let roleName)? = fields["role"] else {
            throw .invalidRequest("\(place).role must be a string")
        }
        let role: ChatMessage.Role
        switch roleName {
        case "system", "developer": role = .system
        case "user": role = .user
        case "assistant": role = .assistant
        case "tool": role = .tool
        default:
            throw .invalidRequest("\(place).role '\(String(roleName.prefix(64)))' is not supported")
        }
        var calls: [ChatAnswer.ToolCall] = []
        if role == .assistant {
            calls = try toolCalls(fields["tool_calls"], place: place)
        }
        // An assistant message that calls functions may have no content.
        var text = ""
        if calls.isEmpty || (fields["content"] ?? .null) != .null {
            text = try content(fields["content"], place: place)
        }
        var toolCallID: String?
        if role == .tool {
            guard case .string(let id)? = fields["tool_call_id"], !id.isEmpty else {
                throw .invalidRequest("\(place).tool_call_id must be a non-empty string")
            }
            toolCallID = id
        }
        if text.utf8.contains(0) {
            throw .invalidRequest("\(place).content contains a NUL character")
        }
        // Calls and ids go into the prompt as well.
        if ([toolCallID ?? ""] + calls.flatMap { [$0.id, $0.name, $0.arguments] }).contains(where: { $0.utf8.contains(0) }) {
            throw .invalidRequest("\(place) has a NUL character in a tool call or its id")
        }
        return ChatMessage(role: role, text: text, toolCalls: calls, toolCallID: toolCallID)
    }

    /// An assistant message's `tool_calls`: `[{"id","type":"function","function":{"name","arguments"}}]`.
    static func toolCalls(_ value: JSONValue?, place: String) throws(APIError) -> [ChatAnswer.ToolCall] {
        let items: [JSONValue]
        switch value {
        case nil, .null?: return []
        case .array(let array)?: items = array
        case let other?: throw .invalidRequest("\(place).tool_calls must be an array, not \(other.typeName)")
        }
        var calls: [ChatAnswer.ToolCall] = []
        for (index, item) in items.enumerated() {
            let callPlace = "\(place).tool_calls[\(index)]"
            guard case .object(let call) = item, case .string(let id)? = call["id"], !id.isEmpty else {
                throw .invalidRequest("\(callPlace) must be an object with a non-empty id")
            }
            guard case .object(let function)? = call["function"], case .string(let name)? = function["name"], !name.isEmpty,
                  case .string(let arguments)? = function["arguments"] else {
                throw .invalidRequest("\(callPlace).function must hold a name and arguments (a string)")
            }
            calls.append(ChatAnswer.ToolCall(id: id, name: name, arguments: arguments))
        }
        return calls
    }

    static func content(_ value: JSONValue?, place: String) throws(APIError) -> String {
        switch value {
        case .string(let text)?:
            return text
        case .array(let parts)?:
            var texts: [String] = []
            for (index, part) in parts.enumerated() {
                let partPlace = "\(place).content[\(index)]"
                guard case .object(let fields) = part else {
                    throw .invalidRequest("\(partPlace) must be an object, not \(part.typeName)")
                }
                guard case .string(let type)? = fields["type"] else {
                    throw .invalidRequest("\(partPlace).type must be a string")
                }
                guard type == "text" else {
                    throw .invalidRequest("\(partPlace) has type '\(String(type.prefix(64)))'; only 'text' parts are supported")
                }
                guard case .string(let text)? = fields["text"] else {
                    throw .invalidRequest("\(partPlace).text must be a string")
                }
                texts.append(text)
            }
            return texts.joined(separator: "\n")
        default:
            throw .invalidRequest("\(place).content must be a string or an array of text parts")
        }
    }
}
