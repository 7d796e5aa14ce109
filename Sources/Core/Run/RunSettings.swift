/// The configured settings every run starts from; chat and job runs make their plans here, the same way.
public struct RunSettings: Sendable, Equatable {
    public var claude: ClaudeSettings
    public var gitSync: GitSyncSettings
    public var stateDirectory: String

    public init(claude: ClaudeSettings, gitSync: GitSyncSettings, stateDirectory: String) {
        self.claude = claude
        self.gitSync = gitSync
        self.stateDirectory = stateDirectory
    }

    /// The plan of one run; a job may ask for a shorter timeout or a smaller budget than configured.
    public func plan(_ invocation: ClaudeInvocation, kind: RunPlan.Kind, timeoutSeconds: Double? = nil,
                     maxBudgetUSD: Double? = nil, caller: String = Caller.defaultName) -> RunPlan {
        var claude = claude
        if let timeoutSeconds { claude.timeoutSeconds = timeoutSeconds }
        if let maxBudgetUSD { claude.maxBudgetUSD = NumberText.short(maxBudgetUSD) }
        return RunPlan(invocation: invocation, claude: claude, gitSync: gitSync, stateDirectory: stateDirectory, kind: kind, caller: caller)
    }

    /// `<state-dir>/run.lock`.
    public var lockPath: String { stateDirectory + "/run.lock" }
    /// `<state-dir>/jobs`.
    public var jobsDirectory: String { Self.jobsDirectory(in: stateDirectory) }

    /// `<state-dir>/resend`: answers kept for re-sent requests.
    public var resendDirectory: String { stateDirectory + "/resend" }

    /// `<state-dir>/queue`: the line for the runner.
    public var queueDirectory: String { stateDirectory + "/queue" }

    /// `<state-dir>/responses`.
    public var responsesDirectory: String { stateDirectory + "/responses" }

    /// Where the job records of a state directory live.
    public static func jobsDirectory(in stateDirectory: String) -> String { stateDirectory + "/jobs" }
}
