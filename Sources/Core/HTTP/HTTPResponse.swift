/// An HTTP response produced by Core; the FastCGI loop writes it out verbatim.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Header fields in the order they are written. `Content-Type` is always present.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header field, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// A JSON response with `Content-Type: application/json`.
    public static func json(status: Int, body: [UInt8], extraHeaders: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + extraHeaders, body: body)
    }

    /// The CGI-style head (`Status:` line and headers, CRLF-terminated, with the blank line); the
    /// body's `Content-Length` unless `withLength` is false (a streamed body).
    public func cgiHead(withLength: Bool = true) -> String {
        var head = "Status: \(status) \(HTTPResponse.reasonPhrase(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if withLength { head += "Content-Length: \(body.count)\r\n" }
        return head + "\r\n"
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Payload Too Large"
        case 415: "Unsupported Media Type"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
