/// The Responses API's `tools` and `tool_choice`.
///
/// - `function` tools are offered as they are; a `namespace` tool's functions are offered as functions
///   named `NAMESPACE.NAME` (and their calls come back with `namespace` and `name` apart).
/// - `web_search` with `external_web_access: false` (what Codex sends) asks for nothing: ignored.
/// - `custom` tools (free-form text input, a grammar) are not offered: the model sees only the functions.
/// - Every other type (web search that wants the web, file search, computer use, code interpreter, image
///   generation, MCP, local shell, …) is a 400 naming it: the CLI cannot honour it for the caller.
enum ResponsesToolsDecoder {
    struct Offered {
        var functions: [FunctionTool] = []
        /// The tools as the response object echoes them (as sent).
        var echo: [JSONValue] = []
    }

    /// The name a namespaced function is offered and called by.
    static func qualifiedName(_ name: String, in namespace: String?) -> String {
        namespace.map { "\($0).\(name)" } ?? name
    }

    /// The name and namespace of a call, for its `function_call` item.
    static func split(_ qualified: String) -> (name: String, namespace: String?) {
        guard let dot = qualified.lastIndex(of: ".") else { return (qualified, nil) }
        return (String(qualified[qualified.index(after: dot)...]), String(qualified[..<dot]))
    }

    /// The tools of `tools` and of the input's `additional_tools` items (where Codex puts them for the
    /// models it knows), each named by its place.
    static func tools(_ value: JSONValue?, input: JSONValue?) throws(APIError) -> Offered {
        var entries: [(place: String, entry: JSONValue)] = []
        switch value {
        case nil, .null?: break
        case .array(let array)?: entries = array.enumerated().map { ("tools[\($0.offset)]", $0.element) }
        case let other?: throw .invalidRequest("tools must be an array, not \(other.typeName)")
        }
        if case .array(let items)? = input {
            for (index, item) in items.enumerated() {
                guard case .object(let fields) = item, fields["type"] == .string(ResponsesInputDecoder.additionalTools) else { continue }
                guard case .array(let more)? = fields["tools"] else { throw .invalidRequest("input[\(index)].tools must be an array") }
                entries += more.enumerated().map { ("input[\(index)].tools[\($0.offset)]", $0.element) }
            }
        }
        var offered = Offered()
        for (place, entry) in entries {
            guard case .object(let fields) = entry else { throw .invalidRequest("\(place) must be an object, not \(entry.typeName)") }
            guard case .string(let type)? = fields["type"] else { throw .invalidRequest("\(place).type must be a string") }
            switch type {
            case "function":
                try add(FunctionTool.checked(entry, at: place), at: place, to: &offered)
            case "namespace":
                guard case .string(let namespace)? = fields["name"], AnswerFormat.isValidName(namespace) else {
                    throw .invalidRequest("\(place).name must be 1 to 64 letters, digits, '_' or '-'")
                }
                guard case .array(let members)? = fields["tools"] else { throw .invalidRequest("\(place).tools must be an array") }
                for (inner, member) in members.enumerated() {
                    let memberPlace = "\(place).tools[\(inner)]"
                    guard case .object(let memberFields) = member, case .string(let memberType)? = memberFields["type"] else {
                        throw .invalidRequest("\(memberPlace) must be an object with a type")
                    }
                    // A namespace may hold custom tools too: not offered, as at the top.
                    if memberType == "custom" { continue }
                    guard memberType == "function" else {
                        throw .invalidRequest("\(memberPlace).type '\(OneLine.clean(memberType, limit: 64))' is not supported; a namespace may hold functions")
                    }
                    var function = try FunctionTool.checked(member, at: memberPlace)
                    function.name = qualifiedName(function.name, in: namespace)
                    try add(function, at: memberPlace, to: &offered)
                }
            case "web_search", "web_search_preview":
                guard fields["external_web_access"] == .bool(false) else {
                    throw .invalidRequest("\(place).type '\(type)' asks for web search, which this service cannot do (only external_web_access: false is accepted)")
                }
            case "custom":
                break
            default:
                throw .invalidRequest("\(place).type '\(OneLine.clean(type, limit: 64))' is not supported; use function tools")
            }
            offered.echo.append(entry)
        }
        return offered
    }

    static func add(_ function: FunctionTool, at place: String, to offered: inout Offered) throws(APIError) {
        try function.offer(in: &offered.functions, namedAt: "\(place).name")
    }

    /// `tool_choice`: `"auto"`, `"none"`, `"required"` or `{"type":"function","name"}`.
    static func toolChoice(_ value: JSONValue?, offered tools: [FunctionTool]) throws(APIError) -> ToolChoice {
        switch value {
        case nil, .null?: return .auto
        case .string(let word)?:
            return try ToolChoice(word: word).checked(offered: tools)
        case .object(let fields)?:
            guard fields["type"] == .string("function"), case .string(let name)? = fields["name"] else {
                throw .invalidRequest(#"tool_choice must be "auto", "none", "required" or {"type":"function","name":…}"#)
            }
            let namespace = try JSONField.optionalString(fields["namespace"], name: "tool_choice.namespace")
            return try ToolChoice.function(qualifiedName(name, in: namespace)).checked(offered: tools)
        case let other?:
            throw .invalidRequest("tool_choice must be a string or an object, not \(other.typeName)")
        }
    }
}
