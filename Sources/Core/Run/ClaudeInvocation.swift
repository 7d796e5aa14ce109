/// One claude run: what to ask, with which agent, for which request.
public struct ClaudeInvocation: Sendable, Equatable {
    /// Names the run in logs and the audit log (a job's id for a job).
    public var requestID: String
    /// The model the client asked for (echoed, and recorded in the audit log); empty for a job.
    public var model: String
    public var prompt: String
    /// The images the prompt names (`[image N]`, in order): such a run is given its prompt as a
    /// stream-json user message (``ClaudeUserMessage``).
    public var images: [ImageSource]
    /// `nil` runs plain claude (no `--agent`).
    public var agent: String?
    /// The JSON Schema text for `--json-schema`: the run must end with a value of this shape (the CLI's
    /// `structured_output`). `nil` for a text answer.
    public var jsonSchema: String?
    /// Run in the CLI's `stream-json` mode and report the answer's text as it is written (as
    /// ``RunEvent/textDelta(_:)`` events) for a streamed answer.
    public var streamsText: Bool
    /// `--effort`; `nil` leaves the CLI's default.
    public var effort: Effort?
    /// The session to continue: `--resume ID --fork-session` (a new session that starts where that
    /// one ended; that one stays as it was).
    public var resumesSession: String?
    /// The id of the session the run writes and keeps, to be resumed later (`--session-id`, chosen
    /// here so that a run that gives no answer can be cleaned up whatever it reported); `nil` runs with
    /// `--no-session-persistence`.
    public var keptSession: String?
    /// Run by a warm spare (a claude started ahead of its prompt, ``SpareCommand``): in the one form a
    /// spare is started in, whatever the answer's form, since the process exists before its prompt
    /// does — the prompt as a stream-json message, stream-json out with partial messages (a text-only
    /// answer is read from the result line, as a cold run's is).
    public var startedAhead: Bool

    /// Whether the CLI reads its prompt as a stream-json message (a run with images, or one started ahead) rather than as text.
    public var readsStreamJSON: Bool { !images.isEmpty || startedAhead }
    /// Whether the CLI writes stream-json (a streamed answer, or stream-json input, which needs it).
    public var writesStreamJSON: Bool { streamsText || readsStreamJSON }
    /// Whether the CLI writes the answer's text as it comes (`--include-partial-messages`).
    public var writesPartialMessages: Bool { streamsText || startedAhead }

    public init(requestID: String = "", model: String = "", prompt: String, images: [ImageSource] = [], agent: String?, jsonSchema: String? = nil,
                streamsText: Bool = false, effort: Effort? = nil, resumesSession: String? = nil, keptSession: String? = nil, startedAhead: Bool = false) {
        self.startedAhead = startedAhead
        self.effort = effort
        self.resumesSession = resumesSession
        self.keptSession = keptSession
        self.requestID = requestID
        self.model = model
        self.prompt = prompt
        self.images = images
        self.agent = agent
        self.jsonSchema = jsonSchema
        self.streamsText = streamsText
    }
}
