/// The Responses API's `response` object, as JSON: what `POST /v1/responses` answers, `GET` returns and
/// the stream's lifecycle events carry. Built from the request's echo and the run's answer.
struct ResponseObject {
    /// Where a response stands.
    enum Status: String, Sendable {
        case queued, inProgress = "in_progress", completed, failed, cancelled
    }

    /// `resp_…`.
    let id: String
    /// Seconds since the epoch.
    let createdAt: Int64
    let echo: ResponseEcho

    /// The object in a state: its output items, usage (a finished run's) and error (a failed one's).
    func json(status: Status, output: [JSONValue] = [], usage: TokenUsage? = nil, error: APIError? = nil) -> JSONValue {
        let reasoning: JSONValue = .object(["effort": echo.reasoningEffort, "summary": .null])
        let errorValue = error.map(Self.error) ?? .null
        return .object([
            "id": .string(id), "object": .string("response"), "created_at": .integer(createdAt), "status": .string(status.rawValue),
            "background": .bool(echo.background), "error": errorValue, "incomplete_details": .null,
            "instructions": echo.instructions, "max_output_tokens": echo.maxOutputTokens, "metadata": echo.metadata,
            "model": .string(echo.model), "output": .array(output), "parallel_tool_calls": .bool(echo.parallelToolCalls),
            "previous_response_id": echo.previousResponseID, "reasoning": reasoning, "store": .bool(echo.store),
            "temperature": echo.temperature, "text": .object(["format": echo.textFormat]), "tool_choice": echo.toolChoice,
            "tools": echo.tools, "top_p": echo.topP, "truncation": .string("disabled"),
            "usage": usage.map(Self.usage) ?? .null, "user": echo.user,
        ])
    }

    /// The output items of an answer: a `message` of one `output_text` part when it has content, then
    /// a `function_call` item per call.
    func items(of answer: RunAnswer) -> [JSONValue] {
        var items: [JSONValue] = []
        if let content = answer.content {
            items.append(messageItem(text: content, status: .completed))
        }
        items += answer.toolCalls.map { functionCallItem($0, arguments: $0.arguments, status: .completed) }
        return items
    }

    /// The answer's message item; its id is the response's with `msg_` for `resp_`.
    var messageID: String { "msg_" + id.dropFirst("resp_".count) }

    func messageItem(text: String?, status: Status) -> JSONValue {
        let content: [JSONValue] = text.map { [Self.textPart($0)] } ?? []
        return .object([
            "id": .string(messageID), "type": .string("message"), "status": .string(status.rawValue), "role": .string("assistant"),
            "content": .array(content),
        ])
    }

    static func textPart(_ text: String) -> JSONValue {
        .object(["type": .string("output_text"), "text": .string(text), "annotations": .array([]), "logprobs": .array([])])
    }

    /// A call's item id: `fc_` and the call id's random part.
    static func itemID(of call: ToolCall) -> String {
        "fc_" + (call.id.hasPrefix("call_") ? String(call.id.dropFirst("call_".count)) : call.id)
    }

    func functionCallItem(_ call: ToolCall, arguments: String, status: Status) -> JSONValue {
        let (name, namespace) = ResponsesToolsDecoder.split(call.name)
        var item: JSONObject = [
            "id": .string(Self.itemID(of: call)), "type": .string("function_call"), "status": .string(status.rawValue),
            "call_id": .string(call.id), "name": .string(name), "arguments": .string(arguments),
        ]
        if let namespace { item["namespace"] = .string(namespace) }
        return .object(item)
    }

    /// A failed response's `error`: `{"code", "message"}`.
    static func error(_ error: APIError) -> JSONValue {
        let body = OpenAIErrorBody(error).error
        return .object(["code": .string(body.code ?? body.type), "message": .string(body.message)])
    }

    /// `usage`: every input token (cached ones counted in `input_tokens_details.cached_tokens`), output.
    static func usage(_ usage: TokenUsage) -> JSONValue {
        .object([
            "input_tokens": .integer(Int64(usage.promptTokens)),
            "input_tokens_details": .object(["cached_tokens": .integer(Int64(usage.cachedTokens))]),
            "output_tokens": .integer(Int64(usage.completionTokens)),
            "output_tokens_details": .object(["reasoning_tokens": .integer(0)]),
            "total_tokens": .integer(Int64(usage.totalTokens)),
        ])
    }
}
