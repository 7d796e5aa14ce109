/// Turns a `POST /v1/messages` body into a ``MessagesRequest`` or an ``APIError`` naming the field.
///
/// `max_tokens` is required, as the API requires it, and not passed on (the CLI has no such flag);
/// `temperature`, `top_p`, `top_k`, `stop_sequences` and `metadata` are checked and not passed on;
/// `thinking`, `context_management`, `service_tier`, `cache_control` and the other fields Claude Code
/// sends mean nothing here and are accepted; `output_config.effort` is the CLI's `--effort`.
/// Fields whose silent loss would change the answer (`mcp_servers`, `container`, server tools,
/// document blocks) are refused by name.
enum MessagesDecoder {
    /// Fields that would change the answer and that the CLI cannot honour.
    static let refusedFields = ["mcp_servers", "container"]

    static func decode(_ body: [UInt8]) throws(APIError) -> MessagesRequest {
        try decode(JSONValue.parseRequestObject(body))
    }

    static func decode(_ fields: JSONObject) throws(APIError) -> MessagesRequest {
        guard case .string(let model)? = fields["model"], !model.isEmpty else {
            throw .invalidRequest("model must be a non-empty string")
        }
        guard fields["max_tokens"] != nil, fields["max_tokens"] != .null else { throw .invalidRequest("max_tokens is required") }
        _ = try JSONField.positiveInteger(fields["max_tokens"], name: "max_tokens")
        let stream = try JSONField.optionalBoolean(fields["stream"], name: "stream") ?? false
        for name in refusedFields where fields[name] != nil && fields[name] != .null {
            throw .invalidRequest("\(name) is not supported by this service")
        }
        try checkSampling(fields)
        let effort = try self.effort(fields["output_config"])
        try checkThinking(fields["thinking"])

        var turns = try MessagesContentDecoder.system(fields["system"])
        guard case .array(let messages)? = fields["messages"], !messages.isEmpty else {
            throw .invalidRequest("messages must be a non-empty array")
        }
        turns += try MessagesContentDecoder.turns(messages)
        let output = try MessagesToolsDecoder.contract(tools: fields["tools"], choice: fields["tool_choice"],
                                                       format: formatField(fields["output_config"]))
        let run = RunRequest(model: model, turns: turns, output: output, stream: stream, effort: effort,
                             fieldNames: MessagesContentDecoder.fieldNames, callIDPrefix: MessageObject.toolUseIDPrefix)
        return MessagesRequest(run: run)
    }

    /// `temperature` (0 to 1), `top_p` (0 to 1), `top_k`, `stop_sequences` and `metadata`: checked, as
    /// the API checks them, and not passed on (the CLI has no such settings).
    static func checkSampling(_ fields: JSONObject) throws(APIError) {
        for name in ["temperature", "top_p"] { _ = try JSONField.probability(fields[name], name: name) }
        switch fields["top_k"] {
        case nil, .null?: break
        case .integer(let value)? where value >= 0: break
        default: throw .invalidRequest("top_k must be a non-negative integer")
        }
        switch fields["stop_sequences"] {
        case nil, .null?: break
        case .array(let items)? where items.allSatisfy({ if case .string = $0 { true } else { false } }): break
        default: throw .invalidRequest("stop_sequences must be an array of strings")
        }
        switch fields["metadata"] {
        case nil, .null?: break
        case .object(let metadata)?: _ = try JSONField.optionalString(metadata["user_id"], name: "metadata.user_id")
        case let other?: throw .invalidRequest("metadata must be an object, not \(other.typeName)")
        }
    }

    /// `thinking`: `{"type": "enabled", "budget_tokens": N}`, `disabled` or `adaptive`; accepted and not
    /// passed on (the CLI decides its thinking; `output_config.effort` is what reaches it).
    static func checkThinking(_ value: JSONValue?) throws(APIError) {
        switch value {
        case nil, .null?: return
        case .object(let thinking)?:
            guard case .string(let type)? = thinking["type"], ["enabled", "disabled", "adaptive"].contains(type) else {
                throw .invalidRequest("thinking.type must be enabled, disabled or adaptive")
            }
            _ = try JSONField.positiveInteger(thinking["budget_tokens"], name: "thinking.budget_tokens")
        case let other?: throw .invalidRequest("thinking must be an object, not \(other.typeName)")
        }
    }

    /// `output_config.effort` as the CLI's `--effort` (low, medium, high, max).
    static func effort(_ value: JSONValue?) throws(APIError) -> Effort? {
        switch value {
        case nil, .null?: return nil
        case .object(let config)?: return try Effort.decode(config["effort"], name: "output_config.effort")
        case let other?: throw .invalidRequest("output_config must be an object, not \(other.typeName)")
        }
    }

    /// `output_config.format` (`{"type": "json_schema", "schema": …}`): the answer's text is JSON of
    /// the schema.
    static func formatField(_ value: JSONValue?) throws(APIError) -> AnswerFormat {
        guard case .object(let config)? = value else { return .text }
        switch config["format"] {
        case nil, .null?: return .text
        case .object(let format)?:
            guard format["type"] == .string("json_schema") else { throw .invalidRequest("output_config.format.type must be \"json_schema\"") }
            guard let schema = format["schema"], case .object = schema else {
                throw .invalidRequest("output_config.format.schema must be an object")
            }
            try JSONSchemaCheck.check(schema, at: "output_config.format.schema")
            return .json(schema: schema)
        case let other?: throw .invalidRequest("output_config.format must be an object, not \(other.typeName)")
        }
    }
}
