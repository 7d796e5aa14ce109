import Glibc

/// An HTTP request as Core sees it: what the FastCGI loop read, nothing more.
public struct HTTPRequest: Sendable {
    /// Upper-case method, e.g. `POST`.
    public var method: String
    /// The path without the query string, e.g. `/v1/chat/completions`.
    public var path: String
    /// The raw query string, without `?` (empty when none).
    public var query: String
    /// Header fields keyed by lower-cased name.
    public var headers: [String: String]
    /// The request body.
    public var body: [UInt8]
    /// The connection to nginx, to watch for a hang-up while a run goes on; `nil` when there is none.
    public var connectionDescriptor: Int32?

    public init(method: String, path: String, query: String = "", headers: [String: String] = [:], body: [UInt8] = [],
                connectionDescriptor: Int32? = nil) {
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.init(method: method, path: path, query: query, lowercasedHeaders: lowered, body: body, connectionDescriptor: connectionDescriptor)
    }

    init(method: String, path: String, query: String, lowercasedHeaders: [String: String], body: [UInt8], connectionDescriptor: Int32?) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = lowercasedHeaders
        self.body = body
        self.connectionDescriptor = connectionDescriptor
    }

    /// The value of a header field, by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

extension HTTPRequest {
    /// Builds a request straight from FastCGI's `KEY=VALUE` entries, keeping only what a request is
    /// made of (method, URI, query, content type and length, `HTTP_*` headers) and making no string
    /// for the rest: this runs for every request, rejected and busy ones included.
    public init<Entries: Sequence>(cgiEntries: Entries, body: [UInt8], connectionDescriptor: Int32? = nil)
    where Entries.Element == UnsafeBufferPointer<UInt8> {
        var method = "GET", documentURI: String?, requestURI: String?, query = ""
        var headers: [String: String] = [:]
        for entry in cgiEntries {
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = UnsafeBufferPointer(rebasing: entry[..<equals])
            let value = { String(decoding: entry[(equals + 1)...], as: UTF8.self) }
            if key.count > 5 && CGIKey.matches(UnsafeBufferPointer(rebasing: key[..<5]), "HTTP_") {
                headers[HTTPRequest.headerName(cgiName: UnsafeBufferPointer(rebasing: key[5...]))] = value()
            } else if CGIKey.matches(key, "REQUEST_METHOD") {
                method = value()
            } else if CGIKey.matches(key, "DOCUMENT_URI") {
                documentURI = value()
            } else if CGIKey.matches(key, "REQUEST_URI") {
                requestURI = value()
            } else if CGIKey.matches(key, "QUERY_STRING") {
                query = value()
            } else if CGIKey.matches(key, "CONTENT_TYPE") {
                let type = value()
                if !type.isEmpty { headers["content-type"] = type }
            } else if CGIKey.matches(key, "CONTENT_LENGTH") {
                let length = value()
                if !length.isEmpty { headers["content-length"] = length }
            }
        }
        let path = documentURI ?? requestURI.map { String($0.prefix { $0 != "?" }) } ?? "/"
        self.init(method: method, path: path, query: query, lowercasedHeaders: headers, body: body,
                  connectionDescriptor: connectionDescriptor)
    }

    /// `X_STAINLESS_RETRY_COUNT` (after `HTTP_`) → `x-stainless-retry-count`, byte by byte.
    static func headerName(cgiName: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: cgiName.count) { output in
            for (index, byte) in cgiName.enumerated() {
                switch byte {
                case UInt8(ascii: "_"): output[index] = UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): output[index] = byte + 32
                default: output[index] = byte
                }
            }
            return cgiName.count
        }
    }
}

/// Compares a FastCGI key with a literal without making a string of it.
enum CGIKey {
    static func matches(_ key: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard key.count == literal.utf8CodeUnitCount else { return false }
        guard let start = key.baseAddress else { return key.isEmpty }
        return memcmp(start, literal.utf8Start, key.count) == 0
    }
}

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

    /// The CGI-style head (`Status:` line and headers, CRLF-terminated, with the blank line).
    public func cgiHead() -> String {
        var head = "Status: \(status) \(HTTPResponse.reasonPhrase(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return head
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
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
