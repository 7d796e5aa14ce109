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

    /// What a spare with these settings and agent starts (nothing for stdin).
    public static func spec(settings: ClaudeSettings, agent: String?) -> ProcessSpec {
        ClaudeCommand(settings: settings).process(for: invocation(agent: agent))
    }

    /// What `plan`'s run would start as, started ahead of its prompt (nothing for stdin); `nil` for a
    /// job, which no spare serves (it outlives its worker; a spare's run is tied to the worker's connection).
    public static func spec(of plan: RunPlan) -> ProcessSpec? {
        guard case .chat = plan.kind else { return nil }
        var invocation = plan.invocation
        invocation.startedAhead = true
        return ClaudeCommand(settings: plan.claude).process(for: invocation)
    }
}
