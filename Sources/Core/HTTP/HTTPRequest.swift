/// An HTTP request as Core sees it: what the FastCGI loop read, nothing more.
public struct HTTPRequest: Sendable {
    /// Upper-case method, e.g. `POST`.
    public var method: String
    /// The path without the query string, e.g. `/v1/chat/completions`.
    public var path: String
    /// The raw query string, without `?` (empty when none).
    public var query: String
    /// Header fields by lower-cased name.
    public var headers: HTTPHeaders
    /// The request body.
    public var body: [UInt8]
    /// The connection to nginx, to watch for a hang-up while a run goes on; `nil` when there is none.
    public var connectionDescriptor: Int32?
    /// The status a busy answer should have, from nginx's `BUSY_STATUS` param: `429` in a fleet
    /// (`deploy/nginx.fleet.conf`), so that nginx passes busy, and only busy, to the next host; `nil`
    /// keeps the API's own (503 for chat, 409 for jobs).
    public var busyStatus: Int?
    /// Who sent it, once its key was checked (``Service`` sets it); the token holder until then.
    public var caller: Caller = .tokenHolder
    /// A re-sendable request's hang-up grace, set by ``ResendGuard`` on the request it lets run; the
    /// endpoints hand it to the run (``ConversationRunner``). `nil`: a hang-up stops the run at once.
    public var hangUpGrace: HangUpGrace?

    /// A request with header fields given by name, in any case (tests, the fuzzer).
    public init(method: String, path: String, query: String = "", headers: [String: String] = [:], body: [UInt8] = [],
                connectionDescriptor: Int32? = nil) {
        self.init(method: method, path: path, query: query, headers: HTTPHeaders(headers), body: body,
                  connectionDescriptor: connectionDescriptor)
    }

    /// A request with its header fields as they came (``HTTPHeaders``).
    public init(method: String, path: String, query: String = "", headers: HTTPHeaders, body: [UInt8] = [],
                connectionDescriptor: Int32? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.connectionDescriptor = connectionDescriptor
    }

    /// The value of a header field, by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name] }
}
