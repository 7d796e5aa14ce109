import FoundationEssentials

/// One line of the audit log: a run and what it spent.
public struct AuditRecord: Encodable, Equatable, Sendable {
    /// RFC 3339 UTC time the run started.
    public var time: String
    public var request_id: String
    /// The caller the run was for (``Caller/name``).
    public var caller: String
    /// The requested model (chat runs; jobs have none).
    public var model: String?
    public var agent: String?
    /// How many images the run was given (left out when none); never the images themselves.
    public var images: Int?
    /// How the run ended (``RunOutcome/word``).
    public var outcome: String
    public var duration_ms: Int
    public var exit_code: Int32?
    public var total_cost_usd: Double?
    /// The figures a chat answer's `usage` reports (prompt = input + cache creation + cache read).
    public var prompt_tokens: Int?
    public var completion_tokens: Int?
    public var cached_tokens: Int?
    /// The CLI's four raw counts.
    public var input_tokens: Int?
    public var cache_creation_input_tokens: Int?
    public var cache_read_input_tokens: Int?
    public var output_tokens: Int?
    /// What the git sync before the run did: `off`, `skipped`, `ok` or `failed`.
    public var git_sync: String?
    /// `true` when the run's claude was the warm spare, started ahead of its prompt (left out for a cold start).
    public var warm: Bool?

    public init(started: Date, durationSeconds: Double, invocation: ClaudeInvocation, outcome: ClaudeOutcome, caller: String = Caller.defaultName) {
        time = RFC3339.format(started)
        request_id = invocation.requestID
        self.caller = caller
        model = invocation.model.isEmpty ? nil : invocation.model
        agent = invocation.agent
        images = invocation.images.isEmpty ? nil : invocation.images.count
        self.outcome = outcome.kind.word
        duration_ms = Int((durationSeconds * 1000).rounded())
        let report = outcome.report
        exit_code = report?.exitCode
        total_cost_usd = report?.costUSD
        prompt_tokens = report?.usage.promptTokens
        completion_tokens = report?.usage.completionTokens
        cached_tokens = report?.usage.cachedTokens
        input_tokens = report?.usage.inputTokens
        cache_creation_input_tokens = report?.usage.cacheCreationTokens
        cache_read_input_tokens = report?.usage.cacheReadTokens
        output_tokens = report?.usage.outputTokens
    }
}
