/// One streamed chat answer on its way to the client: begins the event stream when the run has
/// begun, passes the run's text on as content chunks as it comes, sends a keep-alive comment while
/// the run is quiet, and ends as the run ends: the rest of the answer, the finish reason, the usage
/// chunk when asked for, `[DONE]`; or the error event.
final class ChatCompletionStream {
    let chunks: ChatCompletionChunks
    let output: ResponseStream
    let includeUsage: Bool
    let keepAliveSeconds: Double
    private var lastSent = Monotonic.now()
    /// Some of the answer's text went out as it came.
    private(set) var sentContent = false
    /// The client cannot be written to any more.
    private(set) var broken = false

    /// The head of every streamed answer.
    static let head = HTTPResponse(status: 200, headers: [
        ("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"),
        // nginx passes each event on as it is written, whatever its fastcgi_buffering.
        ("X-Accel-Buffering", "no"),
    ], body: [])

    init(chunks: ChatCompletionChunks, output: ResponseStream, includeUsage: Bool, keepAliveSeconds: Double) {
        self.chunks = chunks
        self.output = output
        self.includeUsage = includeUsage
        self.keepAliveSeconds = keepAliveSeconds
    }

    /// What the run's waiter does: begins on the run's start, passes text on, keeps the stream alive.
    /// Answers false (stop the run) once the client cannot be written to.
    var watcher: RunWatcher {
        RunWatcher(
            onEvent: { [self] event in
                switch event {
                case .started: _ = begin()
                case .textDelta(let text): if begin() { sentContent = true; send(chunks.content(text)) }
                case .result, .failure: break
                }
                return !broken
            },
            onIdle: { [self] in
                if Monotonic.now() - lastSent >= keepAliveSeconds, begin() { send(ChatCompletionChunks.keepAlive) }
                return !broken
            })
    }

    /// Sends the head and the role chunk, once; false when the client cannot be written to.
    @discardableResult
    func begin() -> Bool {
        guard !output.hasBegun else { return !broken }
        if !output.begin(Self.head) { broken = true }
        send(chunks.role())
        return !broken
    }

    /// Ends a run that succeeded: whatever of the answer did not stream (all of a structured answer),
    /// its function calls, the finish reason, the usage, `[DONE]`.
    func finish(_ answer: ChatAnswer, usage: TokenUsage) {
        begin()
        if !sentContent, let content = answer.content, !content.isEmpty {
            send(chunks.content(Array(content.utf8)))
        }
        for (index, call) in answer.toolCalls.enumerated() {
            send(chunks.toolCallStart(index: index, id: call.id, name: call.name))
            send(chunks.toolCallArguments(index: index, call.arguments))
        }
        send(chunks.finish(answer.finishReason))
        if includeUsage { send(chunks.usage(usage)) }
        send(ChatCompletionChunks.done)
    }

    /// Ends a stream whose run failed after it began: the error event, no `[DONE]`.
    func fail(_ error: APIError) {
        let (message, type) = error.streamError
        send(ChatCompletionChunks.error(message: message, type: type))
    }

    private func send(_ bytes: [UInt8]) {
        guard !broken else { return }
        if !output.send(bytes) { broken = true }
        lastSent = Monotonic.now()
    }
}
