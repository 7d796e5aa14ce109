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
    /// answer it gets depends on it.
    func create(_ request: HTTPRequest, note: inout RunNote, live: ResponseStream?) throws -> HTTPResponse {
        let decoded = try ResponsesDecoder.decode(request.body)
        let (response, answered) = try run(decoded, request: request, note: &note, live: live)
        // Stored once the lock is free (the next run need not wait for the store), before the client has
        // the answer (so that it can name it at once).
        if decoded.store, let (object, answer, body) = answered { keep(object, answer: answer, body: body, note: &note) }
        return response
    }

    /// The run of a decoded request under the lock: the response, and what answered it (to be stored).
    private func run(_ decoded: ResponsesRequest, request: HTTPRequest, note: inout RunNote,
                     live: ResponseStream?) throws -> (HTTPResponse, (ResponseObject, RunAnswer, String)?) {
        guard let held = try gate.tryAcquire() else {
            throw decoded.background ? APIError.jobBusy(retryAfterSeconds: gate.retryAfterSeconds) : APIError.busy(retryAfterSeconds: gate.retryAfterSeconds)
        }
        defer { held.release() }
        var run = decoded.run
        if let previous = decoded.previousResponseID {
            // A response whose session is gone (deleted by hand, another host's) cannot be continued either.
            guard let stored = try store.read(previous), let session = stored.session_id, !session.isEmpty, store.hasSession(session) else {
                throw APIError.responseNotFound(id: previous, param: "previous_response_id")
            }
            run.resumesSession = session
            run.resumedCalls = stored.toolCalls
        }
        if decoded.background {
            guard let background else { throw APIError.invalidRequest("background is not supported by this service") }
            return (try background.start(run, echo: decoded.echo, lock: held, note: &note), nil)
        }
        let prepared = try conversation.prepare(run)
        note.requestID = prepared.requestID
        let object = ResponseObject(id: ResponseID.make(requestID: prepared.requestID), createdAt: prepared.created, echo: decoded.echo)

        guard run.stream else {
            let answer = try conversation.answer(prepared, lock: held, cancelOn: request.connectionDescriptor, note: &note)
            let body = object.json(status: .completed, output: object.items(of: answer), usage: answer.usage).compactText
            return (.json(status: 200, body: Array(body.utf8)), (object, answer, body))
        }
        // A streamed answer is out once its last event is: it is stored before that event goes.
        var problem: String?
        let streamed = try conversation.stream(prepared, lock: held, cancelOn: request.connectionDescriptor, note: &note,
                                               encoder: ResponseEvents(response: object), live: live) { answer in
            guard decoded.store else { return }
            let body = object.json(status: .completed, output: object.items(of: answer), usage: answer.usage).compactText
            problem = keep(object, answer: answer, body: body)
        }
        note.problem = problem ?? note.problem
        return (streamed, nil)
    }

    /// Stores an answered response. The client has its answer: a store that fails is noted for the log,
    /// not answered (the response just cannot be continued or fetched).
    private func keep(_ response: ResponseObject, answer: RunAnswer, body: String, note: inout RunNote) {
        if let problem = keep(response, answer: answer, body: body) { note.problem = problem }
    }

    /// Stores an answered response; what went wrong, if it could not be.
    private func keep(_ response: ResponseObject, answer: RunAnswer, body: String) -> String? {
        let record = StoredResponse(id: response.id, created_at: response.createdAt, session_id: answer.sessionID, calls: answer.toolCalls,
                                    response: body)
        do {
            try store.write(record)
            return nil
        } catch {
            return "response \(response.id) answered but not stored: \(error)"
        }
    }

    /// The stored response; 404 naming it when there is none.
    func stored(_ id: String) throws -> StoredResponse {
        guard let record = try store.read(id) else { throw APIError.responseNotFound(id: String(id.prefix(100)), param: nil) }
        return record
    }

    /// `GET /v1/responses/{id}`: the response as stored; a background one as its job stands.
    func retrieve(_ id: String) throws -> HTTPResponse {
        var record = try stored(id)
        if let background, record.job_id != nil { record = try background.current(record) }
        return .json(status: 200, body: Array(record.response.utf8))
    }

    /// `DELETE /v1/responses/{id}`: the response and its CLI session are deleted.
    func delete(_ id: String) throws -> HTTPResponse {
        guard store.delete(id) else { throw APIError.responseNotFound(id: String(id.prefix(100)), param: nil) }
        let body = JSONValue.object(["id": .string(id), "object": .string("response.deleted"), "deleted": .bool(true)])
        return .json(status: 200, body: Array(body.compactText.utf8))
    }

    /// `POST /v1/responses/{id}/cancel`: stops a background response's run; the response as it then stands.
    func cancel(_ id: String) throws -> HTTPResponse {
        let record = try stored(id)
        guard let background, record.job_id != nil else {
            throw APIError.invalidRequest("only background responses can be cancelled; response '\(id)' was answered in its request")
        }
        return .json(status: 200, body: Array(try background.cancel(record).response.utf8))
    }
}
