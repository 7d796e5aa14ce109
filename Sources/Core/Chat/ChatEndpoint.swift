/// `POST /v1/chat/completions`: the lock (busy answered at once), then decode, prompt, output schema,
/// run, answer, envelope.
public struct ChatEndpoint: Sendable {
    let gate: RunGate
    let run: RunSettings
    let agentMap: AgentMap
    let runner: any ClaudeRunning

    public init(gate: RunGate, run: RunSettings, agentMap: AgentMap, runner: any ClaudeRunning) {
        self.gate = gate
        self.run = run
        self.agentMap = agentMap
        self.runner = runner
    }

    /// Answers a request whose token and body limits were checked.
    func complete(_ request: HTTPRequest, note: inout RunNote) throws -> HTTPResponse {
        // Busy is answered before the body is decoded: that answer is the one every request gets while a
        // run goes on, so it is kept cheap; a bad body still gets its 400 once the run is over.
        guard let held = try gate.tryAcquire() else {
            note.outcome = "busy"
            throw APIError.busy(retryAfterSeconds: gate.retryAfterSeconds)
        }
        defer { held.release() }
        let chat = try ChatCompletionDecoder.decode(request.body)
        let prompt = try PromptBuilder.prompt(for: chat.messages)
        let output = try chat.structuredOutputPlan()
        let invocation = ClaudeInvocation(
            requestID: gate.ids.next(), model: chat.model, prompt: prompt,
            agent: agentMap.agent(forModel: chat.model), jsonSchema: output?.schemaText)
        note.requestID = invocation.requestID
        let outcome = runner.run(run.plan(invocation, kind: .chat), lock: held, cancelOn: request.connectionDescriptor)
        note.outcome = outcome.name

        switch outcome {
        case .succeeded(let text, let report):
            let answer = try output.map { plan throws(APIError) in try plan.answer(from: text, newCallID: gate.ids.next) }
                ?? ChatAnswer(content: text)
            let envelope = ChatCompletionResponse(
                id: invocation.requestID, created: gate.clock.secondsSinceEpoch(), model: chat.model, answer: answer, usage: report.usage)
            return .json(status: 200, body: envelope.body)
        case .failed(let detail, _) where invocation.jsonSchema != nil && detail.contains(Self.schemaRefusal):
            // The CLI's own check of the schema, for what ours lets through: the client's mistake.
            let refusal = detail[(detail.firstRange(of: Self.schemaRefusal)?.lowerBound ?? detail.startIndex)...]
            throw APIError.invalidRequest("the output schema was refused by claude: " + refusal.dropFirst("Error: ".count))
        case .failed(let detail, _), .timedOut(let detail, _):
            throw APIError.executionFailed(detail: detail)
        case .cancelled:
            // Nobody reads this answer: the client is gone.
            throw APIError.executionFailed(detail: "cancelled: the client closed the connection")
        }
    }

    /// How the CLI starts its refusal of a `--json-schema` it cannot use (exit 1, nothing run).
    static let schemaRefusal = "Error: --json-schema is not"
}
