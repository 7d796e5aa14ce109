/// A response as kept on disk, one file each: what `GET /v1/responses/{id}` answers, and what a request
/// that continues it (`previous_response_id`) needs.
public struct StoredResponse: Codable, Equatable, Sendable {
    /// A function call of the answer, which the next request's results answer.
    public struct Call: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var arguments: String
    }

    public var id: String
    /// Seconds since the epoch.
    public var created_at: Int64
    /// The CLI session the run wrote, to be resumed; `nil` until a background run has ended.
    public var session_id: String?
    public var calls: [Call]
    /// The response object's JSON text, as `GET` answers it.
    public var response: String
    /// A background response: the job that runs it.
    public var job_id: String?
    /// A background response: how the job's value becomes the answer (``StructuredOutputPlan/Reading``'s
    /// word); `nil` for a text answer.
    public var reading: String?

    public init(id: String, created_at: Int64, session_id: String?, calls: [ToolCall], response: String, job_id: String? = nil,
                reading: String? = nil) {
        self.id = id
        self.created_at = created_at
        self.session_id = session_id
        self.calls = calls.map { Call(id: $0.id, name: $0.name, arguments: $0.arguments) }
        self.response = response
        self.job_id = job_id
        self.reading = reading
    }

    /// The calls as the prompt of a continuation reads them.
    public var toolCalls: [ToolCall] { calls.map { ToolCall(id: $0.id, name: $0.name, arguments: $0.arguments) } }
}
