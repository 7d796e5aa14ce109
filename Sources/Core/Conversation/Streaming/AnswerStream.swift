/// One streamed answer on its way to the client, in any dialect: begins the event stream when the
/// run has begun, passes the run's text on as it comes, sends a keep-alive while the run is quiet,
/// and ends as the run ends: the rest of the answer, or the failure event. What the events say is the
/// dialect's (``AnswerEventEncoder``); when and whether they are written is decided here.
final class AnswerStream {
    let encoder: any AnswerEventEncoder
    let output: ResponseStream
    let keepAliveSeconds: Double
    private var lastSent = Monotonic.now()
    /// Some of the answer's text went out as it came.
    private(set) var sentContent = false
    /// The client cannot be written to any more.
    private(set) var broken = false
    /// The dialect's opening events went out.
    private var opened = false

    /// A comment line, the same in every dialect: keeps proxies and clients from timing out a quiet stream.
    static let keepAlive = Array(": keep-alive\n\n".utf8)

    /// The head of every streamed answer.
    static let head = HTTPResponse(status: 200, headers: [
        ("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"),
        // nginx passes each event on as it is written, whatever its fastcgi_buffering.
        ("X-Accel-Buffering", "no"),
    ], body: [])

    init(encoder: any AnswerEventEncoder, output: ResponseStream, keepAliveSeconds: Double) {
        self.encoder = encoder
        self.output = output
        self.keepAliveSeconds = keepAliveSeconds
    }

    /// What the run's waiter does: begins on the run's start, passes text on, keeps the stream alive.
    /// Answers false (stop the run) once the client cannot be written to.
    var watcher: RunWatcher {
        RunWatcher(
            onEvent: { [self] event in
                switch event {
                case .started: _ = begin()
                case .textDelta(let text): if begin() { sentContent = true; send(encoder.text(text)) }
                case .result, .failure: break
                }
                return !broken
            },
            onIdle: { [self] in
                if Monotonic.now() - lastSent >= keepAliveSeconds, begin() { send(Self.keepAlive) }
                return !broken
            })
    }

    /// Sends the head (unless a wait for the runner sent it: ``waiting(on:)``) and the dialect's opening
    /// events, once; false when the client cannot be written to.
    @discardableResult
    func begin() -> Bool {
        guard !opened else { return !broken }
        opened = true
        if !output.hasBegun, !output.begin(Self.head) { broken = true }
        send(encoder.opening())
        return !broken
    }

    /// A comment while a streamed request waits its turn for the runner.
    static let waitingComment = Array(": waiting for the runner\n\n".utf8)

    /// What a streamed request does while it waits for the runner: the head at once, then a comment each
    /// time (about once a second), so that the client sees the answer begin and no proxy times it out.
    /// False once the client cannot be written to.
    static func waiting(on output: ResponseStream) -> () -> Bool {
        var last = -Double.infinity
        return {
            if !output.hasBegun { guard output.begin(head) else { return false } }
            guard Monotonic.now() - last >= 1 else { return true }
            last = Monotonic.now()
            return output.send(waitingComment)
        }
    }

    /// Ends a run that succeeded: whatever of the answer did not stream (all of a structured answer),
    /// its function calls, and the dialect's end of a stream.
    func finish(_ answer: RunAnswer) {
        begin()
        send(encoder.closing(answer, textSent: sentContent))
    }

    /// Ends a stream whose run failed after it began: the dialect's failure event.
    func fail(_ error: APIError) {
        send(encoder.failure(error))
    }

    private func send(_ bytes: [UInt8]) {
        guard !broken, !bytes.isEmpty else { return }
        if !output.send(bytes) { broken = true }
        lastSent = Monotonic.now()
    }
}
