/// The models the agent map offers, as `GET /v1/models` lists them: each exact model name, and for a
/// `*` entry one more that front ends can pick, named after its agent (`claude` for plain claude), or
/// `default` when an exact entry already has that name.
public struct ModelList: Equatable, Sendable {
    /// Model ids in the order they are listed: exact names sorted, then the `*` entry's.
    public var ids: [String]

    public init(agentMap: AgentMap) {
        var ids = agentMap.exact.keys.sorted()
        if agentMap.hasFallback {
            let name = agentMap.fallback ?? "claude"
            for candidate in [name, "default"] where !ids.contains(candidate) {
                ids.append(candidate)
                break
            }
        }
        self.ids = ids
    }
}
