/// `POST /v1/chat/completions`: the lock (busy answered at once), then decode, prompt, output schema,
/// run, answer, envelope — or, for `stream: true` with streaming on, the answer as server-sent events.
public struct ChatEndpoint: Sendable {
    let gate: RunGate
    let run: RunSettings
    let agentMap: AgentMap
    let runner: any ClaudeRunning
    let streaming: StreamingSettings

    public init(gate: RunGate, run: RunSettings, agentMap: AgentMap, runner: any ClaudeRunning, streaming: StreamingSettings = .off) {
        self.gate = gate
        self.run = run
        self.agentMap = agentMap
        self.runner = runner
        self.streaming = streaming
    }

    /// Answers a request whose token and body limits were checked.
    /// - Parameter live: where a streamed answer goes as it is produced; without one it is collected
    ///   and answered whole.
    func complete(_ request: HTTPRequest, note: inout RunNote, live: ResponseStream? = nil) throws -> HTTPResponse {
        // Busy is answered before the body is decoded: that answer is the one every request gets while a
        // run goes on, so it is kept cheap; a bad body still gets its 400 once the run is over.
        guard let held = try gate.tryAcquire() else { throw APIError.busy(retryAfterSeconds: gate.retryAfterSeconds) }
        defer { held.release() }
        let chat = try ChatCompletionDecoder.decode(request.body, allowsStreaming: streaming.enabled)
        let prompt = try PromptBuilder.prompt(for: chat.messages)
        let output = try chat.structuredOutputPlan()
        // A structured answer streams only once the CLI has checked it: its run is the same as without stream.
        let invocation = ClaudeInvocation(
            requestID: gate.ids.next(), model: chat.model, prompt: prompt,
            agent: agentMap.agent(forModel: chat.model), jsonSchema: output?.schemaText, streamsText: chat.stream && output == nil)
        note.requestID = invocation.requestID
        let created = gate.clock.secondsSinceEpoch()
        let plan = run.plan(invocation, kind: .chat)

        guard chat.stream else {
            let outcome = runner.run(plan, lock: held, cancelOn: request.connectionDescriptor)
            note.outcome = .ran(outcome.kind)
            let (answer, usage) = try self.answer(outcome, output: output)
            let envelope = ChatCompletionResponse(id: invocation.requestID, created: created, model: chat.model, answer: answer, usage: usage)
            return .json(status: 200, body: envelope.body)
        }

        let collected = BufferedResponseStream()
        let target = live ?? collected
        let stream = ChatCompletionStream(
            chunks: ChatCompletionChunks(id: invocation.requestID, created: created, model: chat.model),
            output: target, includeUsage: chat.includeUsage, keepAliveSeconds: streaming.keepAliveSeconds)
        let outcome = runner.run(plan, lock: held, cancelOn: request.connectionDescriptor, watcher: stream.watcher)
        note.outcome = .ran(outcome.kind)
        do {
            let (answer, usage) = try self.answer(outcome, output: output)
            stream.finish(answer, usage: usage)
        } catch {
            // Before the stream began, a failure is an ordinary JSON answer; after, the stream's error event.
            guard target.hasBegun else { throw error }
            if case .cancelled = outcome {} else { stream.fail(APIError(answering: error)) }
        }
        // Without a live stream the events were collected: they are the body. With one, they went out.
        if live == nil, let response = collected.response { return response }
        return ChatCompletionStream.head
    }

    /// The answer and usage of a run that succeeded; a run that did not throws its ``RunFailure``.
    func answer(_ outcome: ClaudeOutcome, output: StructuredOutputPlan?) throws -> (ChatAnswer, TokenUsage) {
        let (text, report) = try outcome.answer(hadSchema: output != nil)
        let answer = try output.map { plan throws(APIError) in try plan.answer(from: text, newCallID: gate.ids.next) } ?? ChatAnswer(content: text)
        return (answer, report.usage)
    }
}
