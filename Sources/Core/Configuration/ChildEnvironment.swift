/// The scrubbed environment a claude run gets: an allow-list of the worker's variables.
///
/// Never passed: anything of our own (`CLAUDE_FCGI_*`, which may hold the bearer token), and any
/// variable whose value contains the token.
public enum ChildEnvironment {
    /// Names passed on as they are.
    static let allowedNames: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR",
        "CLAUDE_CONFIG_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "DISABLE_AUTOUPDATER", "DISABLE_TELEMETRY",
        "API_TIMEOUT_MS", "MAX_STRUCTURED_OUTPUT_RETRIES",
    ]
    /// Prefixes passed on: locale and the Anthropic / Claude Code credentials and settings.
    static let allowedPrefixes = ["LC_", "ANTHROPIC_", "CLAUDE_CODE_"]

    static let fallbackPath = "/usr/local/bin:/usr/bin:/bin"

    /// The child's environment from the worker's, never containing `token`.
    public static func scrubbed(_ environment: [String: String], token: String) -> [String: String] {
        var child: [String: String] = [:]
        for (name, value) in environment where isAllowed(name) {
            if !token.isEmpty && value.contains(token) { continue }
            child[name] = value
        }
        if child["PATH"] == nil { child["PATH"] = fallbackPath }
        return child
    }

    static func isAllowed(_ name: String) -> Bool {
        if name.hasPrefix("CLAUDE_FCGI_") { return false }
        return allowedNames.contains(name) || allowedPrefixes.contains { name.hasPrefix($0) }
    }
}
