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
        var head: [UInt8] = []
        writeCGIHead(withLength: withLength) { head.append(contentsOf: $0) }
        return String(decoding: head, as: UTF8.self)
    }

    /// Hands the CGI-style head (as ``cgiHead(withLength:)``) to `write` piece by piece, building no
    /// string: every answer, rejected and busy ones included, writes one.
    public func writeCGIHead(withLength: Bool = true, to write: (UnsafeRawBufferPointer) -> Void) {
        func text(_ text: String) {
            var text = text
            text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
        }
        text("Status: ")
        Self.withDecimal(status, write)
        text(" ")
        text(HTTPResponse.reasonPhrase(status))
        text("\r\n")
        for (name, value) in headers {
            text(name)
            text(": ")
            text(value)
            text("\r\n")
        }
        if withLength {
            text("Content-Length: ")
            Self.withDecimal(body.count, write)
            text("\r\n")
        }
        text("\r\n")
    }

    /// The decimal digits of `value`, in a buffer on the stack.
    static func withDecimal(_ value: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            var rest = value.magnitude
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            body(UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
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
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Payload Too Large"
        case 415: "Unsupported Media Type"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        case 529: "Overloaded"
        default: "Status"
        }
    }
}
