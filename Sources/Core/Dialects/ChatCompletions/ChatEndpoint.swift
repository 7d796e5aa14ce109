/// `POST /v1/chat/completions`: the lock (busy answered at once), then decode, run, envelope — or, for
/// `stream: true` with streaming on, the answer as server-sent events.
public struct ChatEndpoint: Sendable {
    let conversation: ConversationRunner
    let streaming: StreamingSettings
    /// The shape of its error answers (`--chat-errors`): the original service's by default.
    let errorShape: ErrorShape

    /// - Parameter conversation: the run path it shares with the other dialects.
    public init(conversation: ConversationRunner, streaming: StreamingSettings = .off, errorShape: ErrorShape = .service) {
        self.conversation = conversation
        self.streaming = streaming
        self.errorShape = errorShape
    }

    /// An endpoint with a run path of its own.
    public init(gate: RunGate, run: RunSettings, agentMap: AgentMap, runner: any ClaudeRunning, streaming: StreamingSettings = .off,
                errorShape: ErrorShape = .service) {
        self.init(conversation: ConversationRunner(gate: gate, run: run, agentMap: agentMap, runner: runner, keepAliveSeconds: streaming.keepAliveSeconds),
                  streaming: streaming, errorShape: errorShape)
    }

    var gate: RunGate { conversation.gate }

    /// Answers a request whose token and body limits were checked.
    /// - Parameter live: where a streamed answer goes as it is produced; without one it is collected
    ///   and answered whole.
    func complete(_ request: HTTPRequest, note: inout RunNote, live: ResponseStream? = nil) throws -> HTTPResponse {
        let busy = APIError.busy(retryAfterSeconds: gate.retryAfterSeconds)
        var held = try gate.tryAcquireBeforeReading(busy: busy)
        defer { held?.release() }
        let chat = try ChatCompletionDecoder.decode(request.body, allowsStreaming: streaming.enabled)
        let prepared = try conversation.prepare(chat.runRequest, for: request.caller)
        note.requestID = prepared.requestID
        let chunks = chat.stream
            ? ChatCompletionChunks(id: prepared.requestID, created: prepared.created, model: chat.model, includeUsage: chat.includeUsage) : nil
        let lock = try conversation.turn(&held, for: request, busy: busy, live: chunks == nil ? nil : live, encoder: chunks)

        guard let chunks else {
            let answer = try conversation.answer(prepared, lock: lock, cancelOn: request.connectionDescriptor, grace: request.hangUpGrace, note: &note)
            let envelope = ChatCompletionResponse(id: prepared.requestID, created: prepared.created, model: chat.model, answer: answer)
            return .json(status: 200, body: envelope.body)
        }
        return try conversation.stream(prepared, lock: lock, cancelOn: request.connectionDescriptor, grace: request.hangUpGrace, note: &note, encoder: chunks, live: live)
    }
}
