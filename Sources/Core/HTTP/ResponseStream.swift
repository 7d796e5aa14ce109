/// Where a response whose body is produced over time goes as it is produced: the head first, then
/// pieces of the body, each passed on to the client at once. The FastCGI loop writes and flushes
/// each piece to nginx; ``BufferedResponseStream`` keeps them.
public protocol ResponseStream: AnyObject {
    /// Sends the head: status and headers, without a `Content-Length` (the body ends when the
    /// response does). False when the client cannot be written to.
    func begin(_ head: HTTPResponse) -> Bool
    /// Sends a piece of the body and flushes it; false when the client cannot be written to.
    func send(_ bytes: [UInt8]) -> Bool
    /// True once the head went out.
    var hasBegun: Bool { get }
}

/// A response stream kept in memory, for a shell that cannot stream (and for tests): the whole body
/// is answered at the end.
public final class BufferedResponseStream: ResponseStream {
    public private(set) var head: HTTPResponse?
    public private(set) var body: [UInt8] = []
    /// The pieces as they were sent.
    public private(set) var pieces: [[UInt8]] = []

    public init() {}

    public func begin(_ head: HTTPResponse) -> Bool {
        self.head = head
        return true
    }

    public func send(_ bytes: [UInt8]) -> Bool {
        body += bytes
        pieces.append(bytes)
        return true
    }

    public var hasBegun: Bool { head != nil }

    /// The head with the body sent so far.
    public var response: HTTPResponse? {
        head.map { HTTPResponse(status: $0.status, headers: $0.headers, body: body) }
    }
}
