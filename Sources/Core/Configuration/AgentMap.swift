/// Which claude agent serves which requested model.
///
/// Written as `MODEL=AGENT` pairs separated by commas; `*` names the default; an empty agent means
/// plain claude with no `--agent`. The default map sends every model to `recruiter-triage`.
public struct AgentMap: Equatable, Sendable {
    /// Agent for each exact model name; `nil` value means no agent.
    public var exact: [String: String?]
    /// Agent for any other model; `nil` means no agent.
    public var fallback: String?
    /// Whether the map has a `*` entry. Without one, other models get no agent all the same, but
    /// `GET /v1/models` lists only the exact names.
    public var hasFallback: Bool

    public static let defaultSpec = "*=recruiter-triage"

    public init(exact: [String: String?] = [:], fallback: String?, hasFallback: Bool = true) {
        self.exact = exact
        self.fallback = fallback
        self.hasFallback = hasFallback || fallback != nil
    }

    /// Parses a spec such as `gpt-4o=recruiter-triage,plain=,*=recruiter-triage`.
    /// Without a `*` entry, unmapped models get no agent.
    public init(spec: String) throws(ConfigurationError) {
        var exact: [String: String?] = [:]
        var fallback: String?
        var hasFallback = false
        for entry in spec.split(separator: ",") {
            let pair = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let model = pair[0].trimmingWhitespace()
            guard pair.count == 2, !model.isEmpty else {
                throw ConfigurationError("agent map entry '\(entry)' is not MODEL=AGENT")
            }
            let agentName = pair[1].trimmingWhitespace()
            if !agentName.isEmpty, !AgentMap.isValidName(agentName) {
                throw ConfigurationError("agent name '\(agentName)' may only hold letters, digits, '-', '_' and '.'")
            }
            let agent: String? = agentName.isEmpty ? nil : agentName
            if model == "*" { (fallback, hasFallback) = (agent, true) } else { exact[model] = agent }
        }
        self.init(exact: exact, fallback: fallback, hasFallback: hasFallback)
    }

    /// The agent for a requested model, or `nil` for plain claude.
    public func agent(forModel model: String) -> String? {
        if let mapped = exact[model] { return mapped }
        return fallback
    }

    /// Every agent the map can choose, for the start-up check.
    public var agents: [String] {
        Array(Set(exact.values.compactMap { $0 } + [fallback].compactMap { $0 })).sorted()
    }

    static func isValidName(_ name: String) -> Bool {
        !name.hasPrefix("-") && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
        }
    }
}
