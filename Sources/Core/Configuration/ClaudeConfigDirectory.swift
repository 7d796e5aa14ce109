/// Where the claude CLI keeps its settings, agents and sessions: `$CLAUDE_CONFIG_DIR`, or
/// `$HOME/.claude` when that is unset or empty.
public enum ClaudeConfigDirectory {
    /// The directory for an environment; `nil` when it names neither.
    public static func path(in environment: [String: String]) -> String? {
        if let config = environment["CLAUDE_CONFIG_DIR"], !config.isEmpty { return config }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.claude" }
        return nil
    }
}
