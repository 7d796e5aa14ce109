/// The Responses API: `POST /v1/responses` (answered whole, streamed, or as a background job),
/// `GET` and `DELETE /v1/responses/{id}`, `POST /v1/responses/{id}/cancel`.
///
/// A stored response keeps the CLI session it ran in; a request naming it as `previous_response_id`
/// resumes that session (`--resume … --fork-session`) and sends the CLI only its new input.
public struct ResponsesEndpoint: Sendable {
    public static let collectionPattern = "/v1/responses"
    public static let responsePattern = collectionPattern + "/{id}"
    public static let cancelPattern = responsePattern + "/cancel"

    let conversation: ConversationRunner
    let store: any ResponseStore
    /// Background responses run as jobs; `nil` refuses `background: true`.
    let background: BackgroundResponses?

    public init(conversation: ConversationRunner, store: any ResponseStore, background: BackgroundResponses? = nil) {
        self.conversation = conversation
        self.store = store
        self.background = background
    }

    var gate: RunGate { conversation.gate }

    /// `POST /v1/responses`: the request, then the lock (busy answered at once: 503, or 409 for a
    /// background request, as `/execute` answers), the session it continues, the run, the answer —
    /// stored unless `store: false`. The body is read before the lock, unlike chat's, because which busy
    /// answer it gets depends on it. A session the run kept but no stored response points at (no answer,
    /// or one that could not be stored) is deleted.
    func create(_ request: HTTPRequest, note: inout RunNote, live: ResponseStream?) throws -> HTTPResponse {
        let decoded = try ResponsesDecoder.decode(request.body)
        let (response, answered) = try run(decoded, request: request, note: &note, live: live)
        // An answer whole is stored once the lock is free (the next run need not wait for the store),
        // before the client has it (so that it can name it at once).
        if let answered {
            let session = answered.prepared.invocation.keptSession
            if let session, let problem = keep(answered.object, answer: answered.answer, body: answered.body, session: session, caller: request.caller) {
                note.problem = problem
                store.deleteSession(session)
            }
        }
        return response
    }

    /// What answered a request whole, to be stored.
    private struct Answered {
        let prepared: ConversationRunner.Prepared
        let object: ResponseObject
        let answer: RunAnswer
        let body: String
    }

    /// The run of a decoded request under the lock: the response, and what answered it when it is to be
    /// stored after the lock is let go.
    private func run(_ decoded: ResponsesRequest, request: HTTPRequest, note: inout RunNote,
                     live: ResponseStream?) throws -> (HTTPResponse, Answered?) {
        let busy = decoded.background ? APIError.jobBusy(retryAfterSeconds: gate.retryAfterSeconds) : APIError.busy(retryAfterSeconds: gate.retryAfterSeconds)
        var held = try gate.tryAcquireBeforeReading(busy: busy)
        defer { held?.release() }
        var run = decoded.run
        if let previous = decoded.previousResponseID {
            let (session, calls) = try continuation(of: previous, for: request.caller)
            run.resumesSession = session
            run.resumedCalls = calls
        }
        if decoded.background {
            guard let background else { throw APIError.invalidRequest("background is not supported by this service") }
            let lock = try conversation.turn(&held, for: request, busy: busy, live: nil, encoder: nil)
            return (try background.start(run, echo: decoded.echo, caller: request.caller, lock: lock, note: &note), nil)
        }
        let prepared = try conversation.prepare(run, for: request.caller)
        note.requestID = prepared.requestID
        let object = ResponseObject(id: ResponseID.make(requestID: prepared.requestID), createdAt: prepared.created, echo: decoded.echo)
        let kept = prepared.invocation.keptSession
        let events = run.stream ? ResponseEvents(response: object) : nil
        let lock = try conversation.turn(&held, for: request, busy: busy, live: events == nil ? nil : live, encoder: events)

        guard let events else {
            let answer: RunAnswer
            do {
                answer = try conversation.answer(prepared, lock: lock, cancelOn: request.connectionDescriptor, grace: request.hangUpGrace, note: &note)
            } catch {
                if let kept { store.deleteSession(kept) }
                throw error
            }
            let body = object.json(status: .completed, output: object.items(of: answer), usage: answer.usage).compactText
            return (.json(status: 200, body: Array(body.utf8)), Answered(prepared: prepared, object: object, answer: answer, body: body))
        }
        // A streamed answer is out once its last event is: it is stored before that event goes, with the
        // lock still held (a file; the store prunes at most once a minute).
        var stored = false
        var problem: String?
        defer { if let kept, !stored { store.deleteSession(kept) } }
        let streamed = try conversation.stream(prepared, lock: lock, cancelOn: request.connectionDescriptor, grace: request.hangUpGrace, note: &note,
                                               encoder: events, live: live) { answer in
            guard let kept else { return }
            let body = object.json(status: .completed, output: object.items(of: answer), usage: answer.usage).compactText
            problem = keep(object, answer: answer, body: body, session: kept, caller: request.caller)
            stored = problem == nil
        }
        note.problem = problem ?? note.problem
        return (streamed, nil)
    }

    /// The session a `previous_response_id` continues and the calls its answer made; 404 naming it when
    /// there is none to continue (never stored, deleted, expired, its session gone), 400 while it runs.
    private func continuation(of previous: String, for caller: Caller) throws -> (session: String, calls: [ToolCall]) {
        guard var stored = try store.read(previous), caller.mayAccess(ownedBy: stored.caller) else {
            throw APIError.responseNotFound(id: previous, param: "previous_response_id")
        }
        if let background, stored.in_progress { stored = try background.current(stored) }
        guard !stored.in_progress else {
            throw APIError.invalidRequest("previous_response_id names response '\(previous)', which is still in progress")
        }
        guard store.hasSession(stored.session_id) else { throw APIError.responseNotFound(id: previous, param: "previous_response_id") }
        return (stored.session_id, stored.calls)
    }

    /// Stores an answered response; what went wrong, if it could not be (the client has its answer: a
    /// store that fails is noted for the log, and the response just cannot be continued or fetched).
    private func keep(_ response: ResponseObject, answer: RunAnswer, body: String, session: String, caller: Caller) -> String? {
        let record = StoredResponse(id: response.id, created_at: response.createdAt, session_id: session, calls: answer.toolCalls, response: body,
                                    caller: caller.name)
        do {
            try store.write(record)
            return nil
        } catch {
            return "response \(response.id) answered but not stored: \(error)"
        }
    }

    /// The stored response; 404 naming it when there is none or it is another caller's (an admin sees
    /// every one).
    func stored(_ id: String, for caller: Caller) throws -> StoredResponse {
        guard let record = try store.read(id), caller.mayAccess(ownedBy: record.caller) else {
            throw APIError.responseNotFound(id: String(id.prefix(100)), param: nil)
        }
        return record
    }

    /// `GET /v1/responses/{id}`: the response as stored; a background one as its job stands.
    func retrieve(_ id: String, for caller: Caller) throws -> HTTPResponse {
        var record = try stored(id, for: caller)
        if let background, record.in_progress { record = try background.current(record) }
        return .json(status: 200, body: Array(record.response.utf8))
    }

    /// `DELETE /v1/responses/{id}`: the response and its CLI session are deleted; a background response
    /// still running is cancelled first.
    func delete(_ id: String, for caller: Caller) throws -> HTTPResponse {
        let record = try stored(id, for: caller)
        if let background, record.in_progress { _ = try background.cancel(record) }
        guard store.delete(id) else { throw APIError.responseNotFound(id: String(id.prefix(100)), param: nil) }
        let body = JSONValue.object(["id": .string(id), "object": .string("response.deleted"), "deleted": .bool(true)])
        return .json(status: 200, body: Array(body.compactText.utf8))
    }

    /// `POST /v1/responses/{id}/cancel`: stops a background response's run; the response as it then stands.
    func cancel(_ id: String, for caller: Caller) throws -> HTTPResponse {
        let record = try stored(id, for: caller)
        guard let background, record.job_id != nil else {
            throw APIError.invalidRequest("only background responses can be cancelled; response '\(id)' was answered in its request")
        }
        return .json(status: 200, body: Array(try background.cancel(record).response.utf8))
    }
}
