/// Everything a run's supervisor is handed: what to run, how, where it records, and who waits for it.
public struct RunPlan: Sendable, Equatable {
    /// Who waits for the run.
    public enum Kind: Sendable, Equatable {
        /// A chat request: the worker waits for the run's events, and the run is stopped when the
        /// worker dies or its client hangs up.
        case chat
        /// An `/execute` job: detached from its worker; the supervisor writes this record (with itself
        /// as the runner) before the run starts, and the run's end into it.
        case job(JobRecord)
    }

    public var invocation: ClaudeInvocation
    public var claude: ClaudeSettings
    public var gitSync: GitSyncSettings
    /// Where the audit log and job records live.
    public var stateDirectory: String
    public var kind: Kind
    /// The name of the caller the run is for (the audit line's `caller`, its spend's account).
    public var caller: String
    /// The spend the run holds in its caller's account, settled with its cost when it is over; `nil`
    /// for a caller without a cap or a rate.
    public var spend: PlannedSpend?

    public init(invocation: ClaudeInvocation, claude: ClaudeSettings, gitSync: GitSyncSettings, stateDirectory: String, kind: Kind,
                caller: String = Caller.defaultName, spend: PlannedSpend? = nil) {
        self.caller = caller
        self.spend = spend
        self.invocation = invocation
        self.claude = claude
        self.gitSync = gitSync
        self.stateDirectory = stateDirectory
        self.kind = kind
    }
}
