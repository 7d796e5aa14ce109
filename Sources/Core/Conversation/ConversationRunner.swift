/// The one run path of every dialect: a ``RunRequest`` is prepared (prompt, output schema, the CLI's
/// invocation: everything a client can get wrong is found before anything runs), run under the run
/// lock the endpoint holds, and its outcome read into a ``RunAnswer`` — or thrown as the run's failure.
/// A streamed answer goes out through the dialect's ``AnswerEventEncoder``.
public struct ConversationRunner: Sendable {
    public let gate: RunGate
    let run: RunSettings
    let agentMap: AgentMap
    let runner: any ClaudeRunning
    let keepAliveSeconds: Double
    /// What the images of a request may be.
    let images: ImageRules

    public init(gate: RunGate, run: RunSettings, agentMap: AgentMap, runner: any ClaudeRunning, keepAliveSeconds: Double = 15,
                images: ImageRules = ImageRules()) {
        self.images = images
        self.gate = gate
        self.run = run
        self.agentMap = agentMap
        self.runner = runner
        self.keepAliveSeconds = keepAliveSeconds
    }

    /// A request ready to run.
    struct Prepared: Sendable {
        let invocation: ClaudeInvocation
        /// How the run's value becomes the answer; `nil` for a text run.
        let output: StructuredOutputPlan?
        /// Seconds since the epoch when it was prepared: the answer's `created`.
        let created: Int64
        /// What the ids of the answer's calls begin with.
        let callIDPrefix: String
        /// Who the run is for.
        let caller: Caller

        var requestID: String { invocation.requestID }
    }

    /// The prompt, its images, the output schema and the invocation of a request; a bad request throws
    /// its 400, a model the caller's key does not allow its 403.
    /// - Parameter requestID: the run's id (a job's id for a job); a fresh one when `nil`.
    func prepare(_ request: RunRequest, for caller: Caller = .tokenHolder, requestID: String? = nil) throws(APIError) -> Prepared {
        let agent = agentMap.agent(forModel: request.model)
        guard caller.limits.allows(model: request.model, agent: agent) else {
            throw .forbidden("the key of caller '\(caller.name)' may not use model '\(OneLine.clean(request.model, limit: 100))'")
        }
        let prompt = try request.prompt()
        let images = try self.images.check(prompt.images, field: request.fieldNames.turns)
        let output = try request.output.plan()
        // A structured answer streams only once the CLI has checked it: its run is the same as without stream.
        let invocation = ClaudeInvocation(
            requestID: requestID ?? gate.ids.next(), model: request.model, prompt: prompt.text, images: images, agent: agent,
            jsonSchema: output?.schemaText, streamsText: request.stream && output == nil, effort: request.effort,
            resumesSession: request.resumesSession, keptSession: request.keepsSession ? SessionID.make() : nil)
        return Prepared(invocation: invocation, output: output, created: gate.clock.secondsSinceEpoch(), callIDPrefix: request.callIDPrefix,
                        caller: caller)
    }

    /// The run lock of a read request: `held`, the one taken before it was read
    /// (``RunGate/tryAcquireBeforeReading(busy:)``), or else its turn in the line for the runner
    /// (``RunGate/acquire(caller:connection:onWait:)``), kept in `held` for its release — or `busy` thrown
    /// when the wait ran out, the line was full or the client left. A streamed request's answer begins
    /// while it waits (comments); then busy is its stream's failure event, written here.
    func turn(_ held: inout (any HeldRunLock)?, for request: HTTPRequest, busy: APIError, live: ResponseStream?,
              encoder: (any AnswerEventEncoder)?) throws -> any HeldRunLock {
        if let held { return held }
        try gate.admission.precheck(request.caller)
        let onWait = live.map { AnswerStream.waiting(on: $0) } ?? { true }
        switch try gate.acquire(caller: request.caller.name, connection: request.connectionDescriptor, onWait: onWait) {
        case .acquired(let lock):
            held = lock
            return lock
        case .busy, .hungUp:
            if let live, live.hasBegun, let encoder { _ = live.send(encoder.failure(busy)) }
            throw busy
        }
    }

    /// The plan a prepared request runs by, in the worker's supervisor or as a job, once it may start
    /// (under the lock, just before it does: ``RunAdmission``).
    func plan(_ prepared: Prepared, kind: RunPlan.Kind) throws(APIError) -> RunPlan {
        var plan = run.plan(prepared.invocation, kind: kind, caller: prepared.caller.name)
        try gate.admission.admit(&plan, for: prepared.caller)
        return plan
    }

    /// Runs a prepared request to its answer under the held lock; a run that fails throws its failure.
    /// - Parameter grace: a re-sendable request's hang-up grace (``HTTPRequest/hangUpGrace``).
    func answer(_ prepared: Prepared, lock: any HeldRunLock, cancelOn: Int32?, grace: HangUpGrace? = nil, note: inout RunNote) throws -> RunAnswer {
        let outcome = runner.run(try plan(prepared, kind: .chat), lock: lock, cancelOn: cancelOn, watcher: RunWatcher(hangUpGrace: grace))
        note.outcome = .ran(outcome.kind)
        return try answer(outcome, prepared)
    }

    /// Runs a prepared request with its answer streamed as `encoder` writes it; the response is the
    /// collected events without a live stream, the head (already sent) with one. A run that fails before
    /// the stream began throws (an ordinary JSON answer); after, the stream ends with the failure event.
    /// - Parameter live: where the events go as they are produced; without one they are collected.
    /// - Parameter beforeClosing: called with the answer before the stream's closing events go out (a
    ///   client that has them may at once ask for what it needs to be on record).
    /// - Parameter grace: a re-sendable request's hang-up grace (``HTTPRequest/hangUpGrace``).
    func stream(_ prepared: Prepared, lock: any HeldRunLock, cancelOn: Int32?, grace: HangUpGrace? = nil, note: inout RunNote,
                encoder: any AnswerEventEncoder, live: ResponseStream?, beforeClosing: (RunAnswer) -> Void = { _ in }) throws -> HTTPResponse {
        let collected = BufferedResponseStream()
        let target = live ?? collected
        let stream = AnswerStream(encoder: encoder, output: target, keepAliveSeconds: keepAliveSeconds)
        var watcher = stream.watcher
        watcher.hangUpGrace = grace
        let outcome = runner.run(try plan(prepared, kind: .chat), lock: lock, cancelOn: cancelOn, watcher: watcher)
        note.outcome = .ran(outcome.kind)
        do {
            let answer = try self.answer(outcome, prepared)
            beforeClosing(answer)
            stream.finish(answer)
        } catch {
            guard target.hasBegun else { throw error }
            if case .cancelled = outcome {} else { stream.fail(APIError(answering: error)) }
        }
        // Without a live stream the events were collected: they are the body. With one, they went out.
        if live == nil, let response = collected.response { return response }
        return AnswerStream.head
    }

    /// The answer of a run that succeeded; a run that did not throws its ``RunFailure``.
    func answer(_ outcome: ClaudeOutcome, _ prepared: Prepared) throws -> RunAnswer {
        let (text, report) = try outcome.answer(hadSchema: prepared.output != nil)
        let newCallID = { prepared.callIDPrefix + gate.ids.next() }
        var answer = try prepared.output.map { plan throws(APIError) in try plan.answer(from: text, newCallID: newCallID) } ?? RunAnswer(content: text)
        answer.usage = report.usage
        return answer
    }
}
