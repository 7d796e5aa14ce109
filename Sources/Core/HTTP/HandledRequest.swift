/// A response and what it did, for the request log.
public struct HandledRequest: Sendable {
    public var response: HTTPResponse
    public var run: RunNote
}
