/// The one command line a warm spare is started with, and which runs it can serve: the default chat
/// run's (the agent map's `*` agent, the configured budget, no effort, no schema, no session), in the
/// form a process started ahead of its prompt needs (``ClaudeInvocation/startedAhead``). A run whose
/// command line in that form is another (another agent, a schema, a kept or resumed session, an
/// effort, a budget cut by a caller's cap, a job) runs cold.
public enum SpareCommand {
    /// The invocation a spare is started with; its prompt comes later, as its first input line.
    public static func invocation(agent: String?) -> ClaudeInvocation {
        ClaudeInvocation(prompt: "", agent: agent, startedAhead: true)
    }

    /// Set for every spare (and so for every warm run): without it the CLI sends a request to the API
    /// host at start (`HEAD /api/hello`, 2.1.327), and update checks and telemetry beside; with it a
    /// spare sends nothing until its prompt comes.
    public static let environment = ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"]

    /// What a spare with these settings and agent starts (nothing for stdin).
    public static func spec(settings: ClaudeSettings, agent: String?) -> ProcessSpec {
        ClaudeCommand(settings: spareSettings(settings)).process(for: invocation(agent: agent))
    }

    /// `plan` as a spare runs it: started ahead, with the spare's ``environment``; `nil` for a job, which
    /// no spare serves (it outlives its worker; a spare's run is tied to the worker's connection).
    public static func startedAhead(_ plan: RunPlan) -> RunPlan? {
        guard case .chat = plan.kind else { return nil }
        var plan = plan
        plan.invocation.startedAhead = true
        plan.claude = spareSettings(plan.claude)
        return plan
    }

    /// What `plan`'s run would start as, started ahead of its prompt (nothing for stdin); `nil` for a job.
    public static func spec(of plan: RunPlan) -> ProcessSpec? {
        startedAhead(plan).map(process(ofStartedAhead:))
    }

    /// What a plan already in its started-ahead form (``startedAhead(_:)``) starts (nothing for stdin).
    static func process(ofStartedAhead plan: RunPlan) -> ProcessSpec {
        ClaudeCommand(settings: plan.claude).process(for: plan.invocation)
    }

    /// The run settings with the spare's ``environment``.
    private static func spareSettings(_ settings: ClaudeSettings) -> ClaudeSettings {
        var settings = settings
        settings.environment.merge(environment) { _, spare in spare }
        return settings
    }
}
