/// What every dialect's request becomes: one run, described in no dialect's words. The dialect's
/// decoder makes it; ``ConversationRunner`` runs it; the dialect's encoder writes the ``RunAnswer``.
public struct RunRequest: Equatable, Sendable {
    /// The model the client asked for: picks the agent, and is echoed.
    public var model: String
    /// The conversation, instructions first as `system` turns.
    public var turns: [Turn]
    /// What the answer must be: text, a schema's value, or function calls.
    public var output: OutputContract
    /// The answer goes out as events while it is written.
    public var stream: Bool
    /// How hard the model thinks (the CLI's `--effort`); `nil` leaves the CLI's default.
    public var effort: Effort?
    /// The CLI session this run continues (`--resume … --fork-session`): the turns are only what is new.
    public var resumesSession: String?
    /// The calls the resumed session's last answer made, which the new turns' results answer.
    public var resumedCalls: [ToolCall]
    /// Whether the run's session stays on disk (to be resumed later); otherwise the CLI is told not
    /// to write it.
    public var keepsSession: Bool
    /// The request's names for its turns, for error messages.
    public var fieldNames: PromptBuilder.FieldNames
    /// What the ids of the answer's function calls begin with (`call_`; the Messages API's `toolu_`).
    public var callIDPrefix: String

    public init(model: String, turns: [Turn], output: OutputContract = OutputContract(), stream: Bool = false,
                effort: Effort? = nil, resumesSession: String? = nil, resumedCalls: [ToolCall] = [], keepsSession: Bool = false,
                fieldNames: PromptBuilder.FieldNames = .chat, callIDPrefix: String = "call_") {
        self.callIDPrefix = callIDPrefix
        self.fieldNames = fieldNames
        self.model = model
        self.turns = turns
        self.output = output
        self.stream = stream
        self.effort = effort
        self.resumesSession = resumesSession
        self.resumedCalls = resumedCalls
        self.keepsSession = keepsSession
    }

    /// The prompt the CLI reads and the images it names (``PromptBuilder``).
    public func prompt() throws(APIError) -> PromptBuilder.Prompt {
        try PromptBuilder.build(for: turns, resumedCalls: resumesSession == nil ? nil : resumedCalls, names: fieldNames)
    }
}
