/// The settings files that give claude `SessionStart` hooks: the CLI runs them as it starts (2.1.327: a
/// process started ahead of its prompt ran its hook 0.24 s after start, before any input), so a spare
/// would run them outside the run lock, beside another run. No spare is kept while there are any.
enum SessionStartHooks {
    /// The settings files `spec`'s claude reads (managed, the config directory's, the workspace's) that
    /// name at least one `SessionStart` hook; a file that is missing or is no JSON object names none.
    static func files(for spec: ProcessSpec) -> [String] {
        var candidates = ["/etc/claude-code/managed-settings.json"]
        if let config = ClaudeConfigDirectory.path(in: spec.environment) { candidates.append(config + "/settings.json") }
        candidates += [spec.workingDirectory + "/.claude/settings.json", spec.workingDirectory + "/.claude/settings.local.json"]
        return candidates.filter(hasSessionStart)
    }

    private static func hasSessionStart(_ path: String) -> Bool {
        guard let bytes = FileBytes.read(path, limit: 1 << 20), let document = JSONParser.parse(bytes),
              case .object(let settings) = document.value, case .object(let hooks)? = settings["hooks"],
              let sessionStart = hooks["SessionStart"] else { return false }
        if case .array(let entries) = sessionStart { return !entries.isEmpty }
        return sessionStart != .null
    }
}
