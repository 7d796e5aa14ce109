import Glibc

/// Everything a worker runs with, resolved from its ``OptionValues``.
public struct WorkerConfiguration: Sendable {
    public var token: String
    public var agentMap: AgentMap
    /// Seconds in `Retry-After` of a busy answer.
    public var retryAfterSeconds: Int
    public var body: BodyRules
    /// What the images of a request may be.
    public var images: ImageRules
    public var run: RunSettings
    /// The `/execute` job API's settings.
    public var jobs: JobSettings
    /// Seconds a stopping worker lets the run in hand go on before it cancels it.
    public var stopTimeoutSeconds: Double
    /// Whether and how `stream: true` is served.
    public var streaming: StreamingSettings
    /// How long stored responses and their sessions are kept, and how much they may take.
    public var responses: ResponseStoreSettings
    /// The shape of chat completions' error bodies (`--chat-errors`).
    public var chatErrors: ErrorShape
    /// The callers' keys file and spend windows.
    public var callers: CallerSettings
    /// The waiting line for the runner.
    public var queue: QueueSettings
    /// How re-sent requests are answered.
    public var resend: ResendSettings
    /// The warm spare: whether one is kept, and for how long.
    public var warm: WarmSpareSettings

    /// Resolves and checks the configuration. Fails closed: no token, an unreadable or world-readable
    /// token file, or a value out of range is a ``ConfigurationError`` naming it.
    public static func resolve(_ values: OptionValues, currentDirectory: String) throws(ConfigurationError) -> WorkerConfiguration {
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : currentDirectory + "/" + path
        }
        // The log options are the worker's own; checked here so that --check-config names a bad one.
        _ = (try values.text(.logLevel), try values.text(.logFile))
        let token = try TokenSource.token(file: try values.text(.tokenFile), environment: values.environment)
        let agentMap = try AgentMap(spec: try values.text(.agentMap) ?? AgentMap.defaultSpec)
        let budget = try values.number(.maxBudgetUSD)
        let timeout = try values.number(.timeout)
        let grace = try values.number(.killGrace)
        let workdir = absolute(try values.text(.workdir) ?? currentDirectory)
        guard FileBytes.isDirectory(workdir) else { throw ConfigurationError("workdir \(workdir) is not a directory") }
        var claude = try values.text(.claude) ?? "claude"
        if claude.contains("/") { claude = absolute(claude) }
        let stateDirectory = absolute(try values.text(.stateDir) ?? "/var/lib/claude-fcgi")
        let gitSyncMode = GitSyncMode(rawValue: try values.text(.gitSync) ?? "") ?? .bestEffort

        let settings = ClaudeSettings(
            executable: claude,
            workingDirectory: workdir,
            maxBudgetUSD: try values.text(.maxBudgetUSD) ?? NumberText.short(budget),
            timeoutSeconds: timeout,
            killGraceSeconds: grace,
            environment: ChildEnvironment.scrubbed(values.environment, token: token)
        )
        return WorkerConfiguration(
            token: token,
            agentMap: agentMap,
            retryAfterSeconds: try values.wholeNumber(.retryAfter),
            body: BodyRules(maxBodyBytes: try values.wholeNumber(.maxBodyBytes),
                            maxConversationBodyBytes: try values.wholeNumber(.maxConversationBodyBytes)),
            images: ImageRules(maxBytes: try values.wholeNumber(.imageMaxBytes), maxCount: try values.wholeNumber(.maxImages)),
            run: RunSettings(
                claude: settings,
                gitSync: GitSyncSettings(mode: gitSyncMode, timeoutSeconds: try values.number(.gitTimeout)),
                stateDirectory: stateDirectory),
            jobs: JobSettings(
                caps: JobCaps(maxBudgetUSD: budget, timeoutSeconds: timeout),
                defaultAgent: try values.text(.defaultAgent) ?? agentMap.fallback,
                maxAgeSeconds: seconds(days: try values.number(.jobMaxAgeDays)),
                maxCount: try values.wholeNumber(.jobMaxCount),
                cancelWaitSeconds: grace + 5),
            stopTimeoutSeconds: try values.number(.stopTimeout),
            streaming: StreamingSettings(enabled: try values.text(.streaming) == "on", keepAliveSeconds: try values.number(.streamKeepAlive)),
            responses: ResponseStoreSettings(
                maxAgeSeconds: seconds(days: try values.number(.responseMaxAgeDays)),
                maxBytes: Int64(try values.wholeNumber(.responseStoreMaxMB)) << 20),
            chatErrors: ErrorShape(rawValue: try values.text(.chatErrors) ?? "") ?? .service,
            callers: CallerSettings(keysFile: try values.text(.keysFile).map(absolute), timeZone: try values.text(.budgetTimeZone) ?? "UTC",
                                   spendDirectory: try values.text(.spendDir).map(absolute) ?? stateDirectory + "/spend"),
            queue: QueueSettings(waitSeconds: Double(try values.wholeNumber(.queueWait)), length: try values.wholeNumber(.queueLength),
                                 perCaller: try values.wholeNumber(.queuePerCaller)),
            resend: ResendSettings(windowSeconds: try values.wholeNumber(.resendWindow), graceSeconds: Double(try values.wholeNumber(.resendGrace)),
                                   maxAnswers: try values.wholeNumber(.resendMaxAnswers),
                                   maxBytes: Int64(try values.wholeNumber(.resendStoreMaxMB)) << 20),
            warm: WarmSpareSettings(enabled: try values.text(.warmSpare) == "on", maxAgeSeconds: Double(try values.wholeNumber(.warmSpareMaxAge)),
                                    stateDirectory: stateDirectory)
        )
    }

    /// Agents of the map that claude will not find: neither `<workdir>/.claude/agents/NAME.md` nor
    /// `$CLAUDE_CONFIG_DIR/agents/NAME.md` (default `~/.claude`) exists.
    /// Days as seconds, at most a million years' worth (a larger number of days would not fit).
    static func seconds(days: Double) -> Int64 {
        Int64(min(days, 365_000_000) * 86_400)
    }

    public func missingAgents(environment: [String: String]) -> [String] {
        let configDirectory = ClaudeConfigDirectory.path(in: environment) ?? ""
        let agents = Set(agentMap.agents + [jobs.defaultAgent].compactMap { $0 }).sorted()
        return agents.filter { agent in
            let candidates = [run.claude.workingDirectory + "/.claude/agents/\(agent).md", configDirectory + "/agents/\(agent).md"]
            return !candidates.contains { access($0, R_OK) == 0 }
        }
    }
}
