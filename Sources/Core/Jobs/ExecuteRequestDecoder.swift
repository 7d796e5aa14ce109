/// Decodes `{"prompt": …, "agent"?: …, "max_budget_usd"?: …, "timeout_s"?: …}`. Our own API, so an
/// unknown field is refused rather than ignored: a misspelt `timeout_s` must not pass silently.
public enum ExecuteRequestDecoder {
    static let knownFields: Set<String> = ["prompt", "agent", "max_budget_usd", "timeout_s"]

    public static func decode(_ body: [UInt8], caps: JobCaps) throws(APIError) -> ExecuteRequest {
        let fields = try JSONValue.parseRequestObject(body)
        if let unknown = fields.keys.sorted().first(where: { !knownFields.contains($0) }) {
            throw .invalidRequest("unknown field '\(OneLine.clean(unknown, limit: 64))'")
        }
        guard case .string(let prompt)? = fields["prompt"], !prompt.isEmpty else {
            throw .invalidRequest("prompt must be a non-empty string")
        }
        if prompt.utf8.contains(0) { throw .invalidRequest("prompt contains a NUL character") }
        var agent: String?
        switch fields["agent"] {
        case nil, .null: agent = nil
        case .string(let name)? where AgentMap.isValidName(name) && !name.isEmpty: agent = name
        default: throw .invalidRequest("agent must be a name of letters, digits, '-', '_' and '.'")
        }
        return ExecuteRequest(
            prompt: prompt, agent: agent,
            maxBudgetUSD: try positive(fields["max_budget_usd"], name: "max_budget_usd", cap: caps.maxBudgetUSD),
            timeoutSeconds: try positive(fields["timeout_s"], name: "timeout_s", cap: caps.timeoutSeconds))
    }

    static func positive(_ value: JSONValue?, name: String, cap: Double) throws(APIError) -> Double? {
        let number: Double
        switch value {
        case nil, .null: return nil
        case .integer(let integer)?: number = Double(integer)
        case .double(let double)?: number = double
        default: throw .invalidRequest("\(name) must be a positive number")
        }
        guard number > 0 else { throw .invalidRequest("\(name) must be a positive number") }
        guard number <= cap else {
            throw .invalidRequest("\(name) \(NumberText.short(number)) is above the cap of \(NumberText.short(cap))")
        }
        return number
    }
}
