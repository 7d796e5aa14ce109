/// A response and what it did, for the request log.
public struct HandledRequest: Sendable {
    public var response: HTTPResponse
    public var run: RunNote
    /// The response already went out through the live ``ResponseStream`` (a streamed answer):
    /// `response` is its head, and nothing more is to be written.
    public var sent = false
}
