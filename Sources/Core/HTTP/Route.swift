/// One entry of the route table: where a route is, the methods it answers, whether it needs the token,
/// and its handler. Its pattern is also its label in the request metrics.
public final class Route: Sendable {
    /// What a handler is given: the request, the path's `{id}` (empty for a route without one), where a
    /// streamed answer goes as it is produced, and the note of what it did about a run.
    public typealias Handler = @Sendable (_ request: HTTPRequest, _ id: String, _ note: inout RunNote,
                                          _ live: ResponseStream?) throws -> HTTPResponse

    /// The path (`/v1/models`), or a path with one `{id}` segment: at the end (`/v1/models/{id}`), where
    /// it stands for the rest of the path, or inside (`/v1/responses/{id}/cancel`), where it stands for
    /// one segment.
    public let pattern: String
    /// Methods answered, in the order the `Allow` header lists them.
    public let methods: [String]
    /// Whether the bearer token is checked (before the body and the handler).
    public let needsToken: Bool
    /// The shape of every error this route answers, its checks' included: its dialect's.
    public let errorShape: ErrorShape
    /// Whether the token may come as `x-api-key` (Anthropic's clients) as well as `Authorization: Bearer`.
    public let acceptsAPIKey: Bool
    /// Whether its requests may carry images: its body limit is the conversation routes' larger one.
    public let carriesImages: Bool
    /// Whether its POST starts a run: a re-sent one is answered without a second (``ResendGuard``).
    public let runs: Bool
    let handler: Handler
    /// The request metrics' series names of this route, built once.
    let series: RequestMetrics.Series
    /// What comes before and after `{id}` when the pattern has one.
    private let around: (prefix: String, suffix: String)?

    /// A route at `pattern` (see ``pattern``) answering `methods` with `handler`.
    public init(_ pattern: String, methods: [String], needsToken: Bool = true, errorShape: ErrorShape = .service,
                carriesImages: Bool = false, acceptsAPIKey: Bool = false, runs: Bool = false, handler: @escaping Handler) {
        self.runs = runs
        self.acceptsAPIKey = acceptsAPIKey
        self.carriesImages = carriesImages
        self.pattern = pattern
        self.methods = methods
        self.needsToken = needsToken
        self.errorShape = errorShape
        self.handler = handler
        series = RequestMetrics.Series(route: pattern)
        if let range = pattern.firstRange(of: "/{id}") {
            around = (String(pattern[..<range.lowerBound]) + "/", String(pattern[range.upperBound...]))
        } else {
            around = nil
        }
    }

    /// The `{id}` of a path this route answers (empty for a route without one); `nil` for another path.
    func match(_ path: String) -> String? {
        guard let (prefix, suffix) = around else { return path == pattern ? "" : nil }
        guard path.hasPrefix(prefix), path.hasSuffix(suffix), path.utf8.count >= prefix.utf8.count + suffix.utf8.count else { return nil }
        let id = path.dropFirst(prefix.count).dropLast(suffix.count)
        // Inside a pattern, `{id}` is one segment.
        if !suffix.isEmpty, id.isEmpty || id.contains("/") { return nil }
        return String(id)
    }

    /// The metrics' route label of a path that no route answers.
    public static let unmatchedLabel = "other"
}
