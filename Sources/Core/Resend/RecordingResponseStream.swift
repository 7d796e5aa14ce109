/// The live stream of a re-sendable request, recorded as it goes: the head and every byte are kept
/// (for ``ResendGuard`` to store the answer whole) and passed on to the client while it can be written
/// to. Once it cannot, the recording goes on: this stream still answers `true`, so that the run's
/// answer is produced to its end for a re-send; the client's hang-up is seen on its connection, where
/// the run's hang-up grace (``HangUpGrace``) decides whether the run goes on.
public final class RecordingResponseStream: ResponseStream {
    let live: ResponseStream
    public private(set) var head: HTTPResponse?
    public private(set) var body: [UInt8] = []
    /// The live stream refused a write: the client got the answer up to there.
    public private(set) var liveFailed = false

    public init(live: ResponseStream) {
        self.live = live
    }

    public func begin(_ head: HTTPResponse) -> Bool {
        self.head = head
        if !live.begin(head) { liveFailed = true }
        return true
    }

    public func send(_ bytes: [UInt8]) -> Bool {
        body += bytes
        if !liveFailed && !live.send(bytes) { liveFailed = true }
        return true
    }

    public var hasBegun: Bool { head != nil }

    /// The answer as it was sent: the head with the whole body; `nil` when the stream never began.
    public var recorded: HTTPResponse? {
        head.map { HTTPResponse(status: $0.status, headers: $0.headers, body: body) }
    }
}
