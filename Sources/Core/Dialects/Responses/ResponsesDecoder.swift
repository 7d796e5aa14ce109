/// Turns a `POST /v1/responses` body into a ``ResponsesRequest`` or an ``APIError`` naming the field.
///
/// Fields that mean nothing here (`include`, `prompt_cache_key`, `truncation`, `service_tier`,
/// `safety_identifier`, `client_metadata`, `reasoning.summary`, `text.verbosity`, …) and unknown fields
/// are accepted and ignored, as chat completions does; fields whose silent loss would change the answer
/// are refused by name.
public enum ResponsesDecoder {
    /// Fields this service cannot honour, and what to do instead.
    static let refusedFields: [(name: String, instead: String)] = [
        ("conversation", "use previous_response_id"),
        ("prompt", "send the prompt's text as input"),
    ]

    public static func decode(_ body: [UInt8]) throws(APIError) -> ResponsesRequest {
        try decode(JSONValue.parseRequestObject(body))
    }

    static func decode(_ fields: JSONObject) throws(APIError) -> ResponsesRequest {
        guard case .string(let model)? = fields["model"], !model.isEmpty else {
            throw .invalidRequest("model must be a non-empty string")
        }
        for (name, instead) in refusedFields where fields[name] != nil && fields[name] != .null {
            throw .invalidRequest("\(name) is not supported; \(instead)")
        }
        var echo = ResponseEcho(model: model)
        let stream = try JSONField.optionalBoolean(fields["stream"], name: "stream") ?? false
        let background = try JSONField.optionalBoolean(fields["background"], name: "background") ?? false
        if stream && background { throw .invalidRequest("background responses cannot be streamed; poll GET /v1/responses/{id}") }
        let store = try JSONField.optionalBoolean(fields["store"], name: "store") ?? true
        if background && !store { throw .invalidRequest("background responses must be stored (store: false was given)") }
        let previous = try JSONField.optionalString(fields["previous_response_id"], name: "previous_response_id")
        if let previous, previous.isEmpty { throw .invalidRequest("previous_response_id must be a non-empty string") }

        let instructions = try JSONField.optionalString(fields["instructions"], name: "instructions")
        let turns = try ResponsesInputDecoder.turns(fields["input"], instructions: instructions)
        let text = try textFormat(fields["text"])
        let offered = try ResponsesToolsDecoder.tools(fields["tools"], input: fields["input"])
        let choice = try ResponsesToolsDecoder.toolChoice(fields["tool_choice"], offered: offered.functions)
        let parallel = try JSONField.optionalBoolean(fields["parallel_tool_calls"], name: "parallel_tool_calls") ?? true
        let maxOutputTokens = try JSONField.positiveInteger(fields["max_output_tokens"], name: "max_output_tokens")
        let temperature = try JSONField.temperature(fields["temperature"])
        let topP = try JSONField.probability(fields["top_p"], name: "top_p")
        var effort: Effort?
        switch fields["reasoning"] {
        case nil, .null?: break
        case .object(let reasoning)?:
            effort = try Effort.decode(reasoning["effort"], name: "reasoning.effort")
            echo.reasoningEffort = reasoning["effort"] ?? .null
        case let other?: throw .invalidRequest("reasoning must be an object, not \(other.typeName)")
        }
        echo.metadata = try metadata(fields["metadata"])
        let user = try JSONField.optionalString(fields["user"], name: "user")

        echo.instructions = instructions.map { .string($0) } ?? .null
        echo.maxOutputTokens = maxOutputTokens.map { .integer($0) } ?? .null
        echo.parallelToolCalls = parallel
        echo.previousResponseID = previous.map { .string($0) } ?? .null
        echo.store = store
        echo.background = background
        echo.temperature = temperature.map { .double($0) } ?? .null
        echo.textFormat = text.echo
        echo.toolChoice = fields["tool_choice"].flatMap { $0 == .null ? nil : $0 } ?? .string("auto")
        echo.tools = .array(offered.echo)
        echo.topP = topP.map { .double($0) } ?? .null
        echo.user = user.map { .string($0) } ?? .null

        let run = RunRequest(
            model: model, turns: turns,
            output: OutputContract(format: text.format, tools: offered.functions, toolChoice: choice, parallelToolCalls: parallel),
            stream: stream, effort: effort, keepsSession: store, fieldNames: ResponsesInputDecoder.fieldNames)
        return ResponsesRequest(run: run, previousResponseID: previous, store: store, background: background, echo: echo)
    }

    /// `text.format`: `{"type":"text"}`, `{"type":"json_object"}` or
    /// `{"type":"json_schema","name","schema","strict"?,"description"?}`; and the format as echoed.
    static func textFormat(_ value: JSONValue?) throws(APIError) -> (format: AnswerFormat, echo: JSONValue) {
        let plain = JSONValue.object(["type": .string("text")])
        let text: JSONObject
        switch value {
        case nil, .null?: return (.text, plain)
        case .object(let object)?: text = object
        case let other?: throw .invalidRequest("text must be an object, not \(other.typeName)")
        }
        let place = "text.format"
        let format: JSONObject
        switch text["format"] {
        case nil, .null?: return (.text, plain)
        case .object(let object)?: format = object
        case let other?: throw .invalidRequest("\(place) must be an object, not \(other.typeName)")
        }
        guard case .string(let type)? = format["type"] else { throw .invalidRequest("\(place).type must be a string") }
        switch type {
        case "text": return (.text, plain)
        case "json_object": return (AnswerFormat.anyObject, .object(format))
        case "json_schema": return (try AnswerFormat.namedSchema(format, at: place), .object(format))
        default:
            throw .invalidRequest("\(place).type '\(OneLine.clean(type, limit: 64))' is not supported; use text, json_object or json_schema")
        }
    }

    /// `metadata`: at most 16 string values (keys up to 64 characters, values up to 512), as OpenAI
    /// allows; echoed, never acted on.
    static func metadata(_ value: JSONValue?) throws(APIError) -> JSONValue {
        switch value {
        case nil, .null?: return .object([:])
        case .object(let pairs)?:
            guard pairs.count <= 16 else { throw .invalidRequest("metadata may hold at most 16 keys") }
            for (key, member) in pairs {
                guard case .string(let text) = member, key.count <= 64, text.count <= 512 else {
                    throw .invalidRequest("metadata values must be strings of at most 512 characters, keys at most 64")
                }
            }
            return .object(pairs)
        case let other?: throw .invalidRequest("metadata must be an object, not \(other.typeName)")
        }
    }
}
