/// One entry of the route table: where a route is, the methods it answers, whether it needs the token,
/// and its handler. Its pattern is also its label in the request metrics.
public final class Route: Sendable {
    /// What a handler is given: the request, the path's `{id}` (empty for a route without one), where a
    /// streamed answer goes as it is produced, and the note of what it did about a run.
    public typealias Handler = @Sendable (_ request: HTTPRequest, _ id: String, _ note: inout RunNote,
                                          _ live: ResponseStream?) throws -> HTTPResponse

    /// The path (`/v1/models`), or a path ending in one `{id}` segment (`/v1/models/{id}`), which stands
    /// for the rest of the path.
    public let pattern: String
    /// Methods answered, in the order the `Allow` header lists them.
    public let methods: [String]
    /// Whether the bearer token is checked (before the body and the handler).
    public let needsToken: Bool
    let handler: Handler
    /// The request metrics' series names of this route, built once.
    let series: RequestMetrics.Series
    /// The pattern without `{id}` when it has one.
    private let prefix: Substring?

    /// A route at `pattern` (see ``pattern``) answering `methods` with `handler`.
    public init(_ pattern: String, methods: [String], needsToken: Bool = true, handler: @escaping Handler) {
        self.pattern = pattern
        self.methods = methods
        self.needsToken = needsToken
        self.handler = handler
        series = RequestMetrics.Series(route: pattern)
        prefix = pattern.hasSuffix("/{id}") ? pattern.dropLast("{id}".count) : nil
    }

    /// The `{id}` of a path this route answers (empty for a route without one); `nil` for another path.
    func match(_ path: String) -> String? {
        guard let prefix else { return path == pattern ? "" : nil }
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : nil
    }

    /// The metrics' route label of a path that no route answers.
    public static let unmatchedLabel = "other"
}
