import Glibc

/// The command line's values before defaults and environment fallbacks; `nil` means not given.
public struct RawOptions: Sendable {
    public var tokenFile: String?
    public var claude: String?
    public var workdir: String?
    public var stateDir: String?
    public var agentMap: String?
    public var maxBudgetUSD: String?
    public var timeout: String?
    public var killGrace: String?
    public var retryAfter: String?
    public var maxBodyBytes: String?
    public var gitSync: String?
    public var gitTimeout: String?
    public var defaultAgent: String?
    public var jobMaxAgeDays: String?
    public var jobMaxCount: String?

    public init(tokenFile: String? = nil, claude: String? = nil, workdir: String? = nil, stateDir: String? = nil,
                agentMap: String? = nil, maxBudgetUSD: String? = nil, timeout: String? = nil, killGrace: String? = nil,
                retryAfter: String? = nil, maxBodyBytes: String? = nil, gitSync: String? = nil, gitTimeout: String? = nil,
                defaultAgent: String? = nil, jobMaxAgeDays: String? = nil, jobMaxCount: String? = nil) {
        self.tokenFile = tokenFile
        self.claude = claude
        self.workdir = workdir
        self.stateDir = stateDir
        self.agentMap = agentMap
        self.maxBudgetUSD = maxBudgetUSD
        self.timeout = timeout
        self.killGrace = killGrace
        self.retryAfter = retryAfter
        self.maxBodyBytes = maxBodyBytes
        self.gitSync = gitSync
        self.gitTimeout = gitTimeout
        self.defaultAgent = defaultAgent
        self.jobMaxAgeDays = jobMaxAgeDays
        self.jobMaxCount = jobMaxCount
    }
}

/// Everything a worker runs with, resolved from options, then `CLAUDE_FCGI_*` variables, then defaults.
public struct WorkerConfiguration: Sendable {
    public var service: ServiceConfiguration
    public var claude: ClaudeSettings
    public var stateDirectory: String
    public var gitSync: GitSync
    /// The `/execute` job API's settings (its template's invocation is filled per job).
    public var jobs: JobSettings

    public var lockPath: String { stateDirectory + "/run.lock" }
    public var jobsDirectory: String { stateDirectory + "/jobs" }

    public static let defaultStateDirectory = "/var/lib/claude-fcgi"

    /// Resolves and checks the configuration. Fails closed: no token, an unreadable or world-readable
    /// token file, or a value out of range is a ``ConfigurationError`` naming it.
    public static func resolve(_ options: RawOptions, environment: [String: String], currentDirectory: String) throws(ConfigurationError) -> WorkerConfiguration {
        func value(_ option: String?, _ variable: String) -> String? {
            if let option, !option.isEmpty { return option }
            if let fromEnvironment = environment[variable], !fromEnvironment.isEmpty { return fromEnvironment }
            return nil
        }
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : currentDirectory + "/" + path
        }

        let token = try resolveToken(tokenFile: value(options.tokenFile, "CLAUDE_FCGI_TOKEN_FILE"), environment: environment)
        let agentMap = try AgentMap(spec: value(options.agentMap, "CLAUDE_FCGI_AGENT_MAP") ?? AgentMap.defaultSpec)
        let budgetText = value(options.maxBudgetUSD, "CLAUDE_FCGI_MAX_BUDGET_USD") ?? "2.00"
        guard let budget = Double(budgetText), budget > 0, budget.isFinite else {
            throw ConfigurationError("max budget '\(budgetText)' must be a positive number of USD")
        }
        let timeout = try seconds(value(options.timeout, "CLAUDE_FCGI_TIMEOUT") ?? "900", name: "timeout")
        let grace = try seconds(value(options.killGrace, "CLAUDE_FCGI_KILL_GRACE") ?? "5", name: "kill grace")
        let retryAfterText = value(options.retryAfter, "CLAUDE_FCGI_RETRY_AFTER") ?? "10"
        guard let retryAfter = Int(retryAfterText), (1...120).contains(retryAfter) else {
            // Clients ignore Retry-After outside 0 < v ≤ 120 s.
            throw ConfigurationError("retry-after '\(retryAfterText)' must be whole seconds from 1 to 120")
        }
        let bodyText = value(options.maxBodyBytes, "CLAUDE_FCGI_MAX_BODY_BYTES") ?? String(ServiceConfiguration.defaultMaxBodyBytes)
        guard let maxBody = Int(bodyText), maxBody > 0 else {
            throw ConfigurationError("max body bytes '\(bodyText)' must be a positive whole number")
        }
        let workdir = absolute(value(options.workdir, "CLAUDE_FCGI_WORKDIR") ?? currentDirectory)
        guard isDirectory(workdir) else { throw ConfigurationError("workdir \(workdir) is not a directory") }
        var claude = value(options.claude, "CLAUDE_FCGI_CLAUDE") ?? "claude"
        if claude.contains("/") { claude = absolute(claude) }
        let gitSyncText = value(options.gitSync, "CLAUDE_FCGI_GIT_SYNC") ?? GitSyncMode.bestEffort.rawValue
        guard let gitSyncMode = GitSyncMode(rawValue: gitSyncText) else {
            throw ConfigurationError("git sync '\(gitSyncText)' must be one of off, best-effort, required")
        }
        let gitTimeout = try seconds(value(options.gitTimeout, "CLAUDE_FCGI_GIT_TIMEOUT") ?? "60", name: "git timeout")
        let defaultAgentText = value(options.defaultAgent, "CLAUDE_FCGI_DEFAULT_AGENT")
        if let defaultAgentText, !AgentMap.isValidName(defaultAgentText) {
            throw ConfigurationError("default agent '\(defaultAgentText)' may only hold letters, digits, '-', '_' and '.'")
        }
        let maxAgeDays = try seconds(value(options.jobMaxAgeDays, "CLAUDE_FCGI_JOB_MAX_AGE_DAYS") ?? "30", name: "job max age days")
        let maxCountText = value(options.jobMaxCount, "CLAUDE_FCGI_JOB_MAX_COUNT") ?? "10000"
        guard let maxCount = Int(maxCountText), maxCount > 0 else {
            throw ConfigurationError("job max count '\(maxCountText)' must be a positive whole number")
        }

        let settings = ClaudeSettings(
            executable: claude,
            workingDirectory: workdir,
            maxBudgetUSD: budgetText,
            timeoutSeconds: timeout,
            killGraceSeconds: grace,
            environment: ChildEnvironment.scrubbed(environment, token: token)
        )
        let stateDirectory = absolute(value(options.stateDir, "CLAUDE_FCGI_STATE_DIR") ?? defaultStateDirectory)
        let gitSync = GitSync(mode: gitSyncMode, timeoutSeconds: gitTimeout)
        let template = SupervisorOptions(
            settings: settings, stateDirectory: stateDirectory, invocation: ClaudeInvocation(prompt: "", agent: nil),
            gitSyncMode: gitSyncMode, gitTimeoutSeconds: gitTimeout)
        return WorkerConfiguration(
            service: ServiceConfiguration(token: token, agentMap: agentMap, retryAfterSeconds: retryAfter, maxBodyBytes: maxBody),
            claude: settings,
            stateDirectory: stateDirectory,
            gitSync: gitSync,
            jobs: JobSettings(
                template: template, caps: JobCaps(maxBudgetUSD: budget, timeoutSeconds: timeout),
                defaultAgent: defaultAgentText ?? agentMap.fallback,
                maxAgeSeconds: Int64(maxAgeDays * 86_400), maxCount: maxCount)
        )
    }

    /// The token from the token file (which must not be readable by others) or `CLAUDE_FCGI_TOKEN`.
    static func resolveToken(tokenFile: String?, environment: [String: String]) throws(ConfigurationError) -> String {
        var token: String
        if let tokenFile {
            var info = stat()
            guard stat(tokenFile, &info) == 0 else {
                throw ConfigurationError("token file \(tokenFile): \(SystemError.describe(errno))")
            }
            guard info.st_mode & 0o007 == 0 else {
                throw ConfigurationError("token file \(tokenFile) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
            }
            guard let contents = FileBytes.read(tokenFile, limit: 4096) else {
                throw ConfigurationError("token file \(tokenFile) cannot be read: \(SystemError.describe(errno))")
            }
            token = String(decoding: contents, as: UTF8.self).trimmingCharacters()
        } else {
            token = (environment["CLAUDE_FCGI_TOKEN"] ?? "").trimmingCharacters()
        }
        guard !token.isEmpty else {
            throw ConfigurationError("no token configured: set CLAUDE_FCGI_TOKEN or --token-file (refusing to serve without auth)")
        }
        guard !token.contains(where: { $0.isWhitespace }) else {
            throw ConfigurationError("the token must not contain whitespace")
        }
        return token
    }

    static func seconds(_ text: String, name: String) throws(ConfigurationError) -> Double {
        guard let value = Double(text), value > 0, value.isFinite else {
            throw ConfigurationError("\(name) '\(text)' must be a positive number of seconds")
        }
        return value
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Agents of the map that claude will not find: neither `<workdir>/.claude/agents/NAME.md` nor
    /// `$CLAUDE_CONFIG_DIR/agents/NAME.md` (default `~/.claude`) exists.
    public func missingAgents(environment: [String: String]) -> [String] {
        let configDirectory = environment["CLAUDE_CONFIG_DIR"] ?? (environment["HOME"].map { $0 + "/.claude" } ?? "")
        let agents = Set(service.agentMap.agents + [jobs.defaultAgent].compactMap { $0 }).sorted()
        return agents.filter { agent in
            let candidates = [claude.workingDirectory + "/.claude/agents/\(agent).md", configDirectory + "/agents/\(agent).md"]
            return !candidates.contains { access($0, R_OK) == 0 }
        }
    }
}
