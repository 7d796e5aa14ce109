/// Answers a re-sent request without a second run: before a POST that runs (chat, Responses, Messages,
/// `/execute`), it looks its ``ResendKey`` up in the ``ResendStore``:
/// - no key (neither `Idempotency-Key` nor the openai SDK's retry headers): the request proceeds, as always;
/// - a stored answer within the window: that answer, byte for byte (a streamed one as one response:
///   its head and its whole event stream), and no run; the SDK's first attempt (count 0) is a new
///   question and runs, its answer replacing the stored one;
/// - the same `Idempotency-Key` with another body: 409 (``APIError/resendConflict(key:)``);
/// - a run in progress under the key (another worker's): a re-send waits for its answer (polling the
///   store, and leaving at its client's hang-up; a run whose worker died is taken over), a first
///   attempt of the SDK does not wait and proceeds;
/// - nothing: the request claims the key and proceeds with its live stream recorded
///   (``RecordingResponseStream``) and a hang-up grace on the request (``HTTPRequest/hangUpGrace``); its
///   answer is stored when it is one to keep (``keeps(status:outcome:)``), else the claim is given up and
///   a re-send runs again.
///
/// Wiring: ``Service`` calls ``handle(_:live:proceed:)`` for an admitted POST to a route that runs, once
/// `request.caller` is set, with a `proceed` that calls the route's handler and turns a thrown error into
/// its response (the error edge); what ``handle(_:live:proceed:)`` throws goes to the same edge. The
/// endpoints pass `grace: request.hangUpGrace` to ``ConversationRunner``'s `answer` and `stream`.
public struct ResendGuard: Sendable {
    let store: any ResendStore
    let settings: ResendSettings
    /// How often a waiting re-send looks at the store.
    let pollSeconds: Double

    public init(store: any ResendStore, settings: ResendSettings, pollSeconds: Double = 0.05) {
        self.store = store
        self.settings = settings
        self.pollSeconds = pollSeconds
    }

    /// Handles `request` (from `request.caller`, once admitted) through the store.
    /// - Parameters:
    ///   - live: where a streamed answer is written as it is produced (``Service/handle(_:streamingTo:)``'s).
    ///   - proceed: answers the request as without this guard: the route's handler with the service's
    ///     error edge, so that a thrown error comes back as its response. It gets the request (with its
    ///     ``HTTPRequest/hangUpGrace`` when it may be re-sent) and the stream to write to (the recording
    ///     one), and says in ``HandledRequest/sent`` whether that stream began.
    /// - Throws: a bad `Idempotency-Key` (400), a reused one (409), or a waiting re-send whose client
    ///   hung up (the answer goes nowhere).
    public func handle(_ request: HTTPRequest, live: ResponseStream?,
                       proceed: (HTTPRequest, ResponseStream?) -> HandledRequest) throws(APIError) -> HandledRequest {
        guard let key = try ResendKey.of(request: request, caller: request.caller) else { return proceed(request, live) }
        var waiting = Waiting(connection: request.connectionDescriptor)
        while true {
            switch store.lookup(key) {
            case .done(let entry) where key.isResend:
                if let response = entry.response {
                    return HandledRequest(response: response, run: RunNote(requestID: entry.requestID), sent: false)
                }
            case .done:
                if let handled = claimAndRun(request, key: key, replacingAnswer: true, live: live, proceed: proceed) { return handled }
            case .conflict:
                throw .resendConflict(key: key.idempotencyKey ?? "")
            case .running:
                // A first attempt is a question of its own: it runs (and finds the run lock as any request does).
                guard key.isResend else { return proceed(request, live) }
                if waiting.marksDue() { store.markAttached(key) }
            case .absent:
                if let handled = claimAndRun(request, key: key, replacingAnswer: false, live: live, proceed: proceed) { return handled }
            }
            if waiting.clientLeft(within: pollSeconds) {
                throw .executionFailed(detail: "the client hung up while waiting for the answer of its earlier request")
            }
        }
    }

    /// Claims the key and runs the request; `nil` when another request claimed it or answered it just
    /// now (look again). A store that cannot be written to costs the re-sends their answer, not the request.
    private func claimAndRun(_ request: HTTPRequest, key: ResendKey, replacingAnswer: Bool, live: ResponseStream?,
                             proceed: (HTTPRequest, ResponseStream?) -> HandledRequest) -> HandledRequest? {
        let claim: (any ResendClaim)?
        do {
            claim = try store.claim(key, replacingAnswer: replacingAnswer)
        } catch {
            var handled = proceed(request, live)
            handled.run.problem = handled.run.problem ?? "the answer cannot be kept for a re-send: \(error)"
            return handled
        }
        return claim.map { run(request, key: key, claim: $0, live: live, proceed: proceed) }
    }

    /// Runs the claimed request and keeps its answer, or gives the claim up.
    private func run(_ request: HTTPRequest, key: ResendKey, claim: any ResendClaim, live: ResponseStream?,
                     proceed: (HTTPRequest, ResponseStream?) -> HandledRequest) -> HandledRequest {
        var running = request
        running.hangUpGrace = HangUpGrace(seconds: settings.graceSeconds, isAttached: { [store] in store.isAttached(key) })
        let recording = live.map { RecordingResponseStream(live: $0) }
        var handled = proceed(running, recording)
        let answer = recording?.recorded ?? handled.response
        guard Self.keeps(status: answer.status, outcome: handled.run.outcome) else {
            store.abandon(claim)
            return handled
        }
        do {
            try store.complete(claim, answer: answer, requestID: handled.run.requestID)
        } catch {
            handled.run.problem = handled.run.problem ?? "the answer cannot be kept for a re-send: \(error)"
        }
        return handled
    }

    /// Whether an answer is kept for its re-sends: one the request would get again. Not a busy answer, a
    /// request to come back later (408, 429), a refusal a key's cap or limits gave (403), an error of ours (5xx), nor the answer of a run that did
    /// not succeed (a streamed one began with 200): a re-send of these runs again.
    public static func keeps(status: Int, outcome: RequestOutcome?) -> Bool {
        // 403: a spent cap in a fleet is one (Service), and a key's limits can change.
        guard status < 500, status != 403, status != 408, status != 429 else { return false }
        switch outcome {
        case nil, .jobStarted, .ran(.succeeded): return true
        case .busy, .ran: return false
        }
    }

    /// A re-send waiting for another worker's run: its mark in the store and its client's connection.
    struct Waiting {
        /// The client's connection, while watched: data on it ends the watch (its end of file is a hang-up).
        var connection: Int32?
        private(set) var marked = false
        private var lastMark = -Double.infinity

        init(connection: Int32?) {
            self.connection = connection
        }

        /// Whether to touch the mark now: at once, then every second.
        mutating func marksDue() -> Bool {
            let now = Monotonic.now()
            guard now - lastMark >= 1 else { return false }
            lastMark = now
            marked = true
            return true
        }

        /// Waits `seconds`, or less if the client hangs up; whether it did.
        mutating func clientLeft(within seconds: Double) -> Bool {
            var set = PollSet()
            set.watch(connection, for: [.readable, .peerClosed])
            guard let ready = try? set.wait(seconds: seconds) else { return false }
            guard let fd = connection, ready.contains(fd) else { return false }
            if ProcessExit.isCancelSignal(fd) { return true }
            connection = nil
            return false
        }
    }
}
