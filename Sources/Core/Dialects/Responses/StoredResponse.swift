/// A response as kept on disk, one file each: what `GET /v1/responses/{id}` answers, and what a request
/// that continues it (`previous_response_id`) needs.
public struct StoredResponse: Equatable, Sendable {
    public var id: String
    /// Seconds since the epoch.
    public var created_at: Int64
    /// The CLI session the run keeps (its `--session-id`), to be resumed.
    public var session_id: String
    /// The answer's function calls, which the next request's results answer.
    public var calls: [ToolCall]
    /// The response object's JSON text, as `GET` answers it.
    public var response: String
    /// A background response: the job that runs it.
    public var job_id: String?
    /// A background response: how the job's value becomes the answer (``StructuredOutputPlan/Reading``'s
    /// word); `nil` for a text answer.
    public var reading: String?
    /// A background response whose end has not been read from its job yet.
    public var in_progress: Bool
    /// The caller it was answered for (``Caller/name``); `nil` in records from before there were
    /// callers (the token holder's).
    public var caller: String?

    public init(id: String, created_at: Int64, session_id: String, calls: [ToolCall], response: String, job_id: String? = nil,
                reading: String? = nil, in_progress: Bool = false, caller: String? = nil) {
        self.caller = caller
        self.id = id
        self.created_at = created_at
        self.session_id = session_id
        self.calls = calls
        self.response = response
        self.job_id = job_id
        self.reading = reading
        self.in_progress = in_progress
    }

    /// The record as its file holds it: a line of JSON with everything but the response, then the
    /// response object's JSON text as it is (no escaping on the way in, no decoding on the way out).
    var fileBytes: [UInt8] {
        func optional(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }
        let head = JSONValue.object([
            "id": .string(id), "created_at": .integer(created_at), "session_id": .string(session_id),
            "calls": .array(calls.map { .object(["id": .string($0.id), "name": .string($0.name), "arguments": .string($0.arguments)]) }),
            "job_id": optional(job_id), "reading": optional(reading), "in_progress": .bool(in_progress), "caller": optional(caller),
        ])
        var bytes: [UInt8] = []
        bytes.reserveCapacity(response.utf8.count + 256)
        head.append(to: &bytes)
        bytes.append(0x0A)
        bytes += response.utf8
        return bytes
    }

    /// A record from its file's bytes; `nil` when they are not one.
    init?(fileBytes bytes: [UInt8]) {
        // Compact JSON holds no raw line break: the first one ends the head.
        guard let newline = bytes.firstIndex(of: 0x0A), case .object(let head)? = JSONValue.parse(Array(bytes[..<newline])),
              case .string(let id)? = head["id"], case .integer(let created)? = head["created_at"],
              case .string(let session)? = head["session_id"], case .array(let calls)? = head["calls"],
              case .bool(let inProgress)? = head["in_progress"] else { return nil }
        func optional(_ key: String) -> String? { if case .string(let text)? = head[key] { text } else { nil } }
        var toolCalls: [ToolCall] = []
        for call in calls {
            guard case .object(let fields) = call, case .string(let callID)? = fields["id"], case .string(let name)? = fields["name"],
                  case .string(let arguments)? = fields["arguments"] else { return nil }
            toolCalls.append(ToolCall(id: callID, name: name, arguments: arguments))
        }
        self.init(id: id, created_at: created, session_id: session, calls: toolCalls,
                  response: String(decoding: bytes[(newline + 1)...], as: UTF8.self), job_id: optional("job_id"), reading: optional("reading"),
                  in_progress: inProgress, caller: optional("caller"))
    }
}
