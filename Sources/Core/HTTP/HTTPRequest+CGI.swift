extension HTTPRequest {
    /// Builds a request straight from FastCGI's `KEY=VALUE` entries, keeping only what a request is
    /// made of (method, URI, query, content type and length, `HTTP_*` headers, our `BUSY_STATUS`) and making no string
    /// for the rest: this runs for every request, rejected and busy ones included.
    public init(cgiEntries: [UnsafeBufferPointer<UInt8>], body: [UInt8], connectionDescriptor: Int32? = nil) {
        var method = "GET", documentURI: String?, requestURI: String?, query = ""
        var headers = HTTPHeaders()
        headers.reserve(512)
        var busyStatus: Int?
        for entry in cgiEntries {
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = UnsafeBufferPointer(rebasing: entry[..<equals])
            let valueBytes = UnsafeBufferPointer(rebasing: entry[(equals + 1)...])
            let value = { String(decoding: valueBytes, as: UTF8.self) }
            if key.count > 5 && CGIKey.matches(UnsafeBufferPointer(rebasing: key[..<5]), "HTTP_") {
                headers.append(cgiName: UnsafeBufferPointer(rebasing: key[5...]), value: valueBytes)
            } else if CGIKey.matches(key, "REQUEST_METHOD") {
                method = value()
            } else if CGIKey.matches(key, "DOCUMENT_URI") {
                documentURI = value()
            } else if CGIKey.matches(key, "REQUEST_URI") {
                requestURI = value()
            } else if CGIKey.matches(key, "QUERY_STRING") {
                query = value()
            } else if CGIKey.matches(key, "CONTENT_TYPE") {
                if !valueBytes.isEmpty { headers.append(name: "content-type".utf8, value: valueBytes) }
            } else if CGIKey.matches(key, "CONTENT_LENGTH") {
                if !valueBytes.isEmpty { headers.append(name: "content-length".utf8, value: valueBytes) }
            } else if CGIKey.matches(key, "BUSY_STATUS") {
                busyStatus = Int(value()).flatMap { (400...599).contains($0) ? $0 : nil }
            }
        }
        let path = documentURI ?? requestURI.map { String($0.prefix { $0 != "?" }) } ?? "/"
        self.init(method: method, path: path, query: query, headers: headers, body: body, connectionDescriptor: connectionDescriptor)
        self.busyStatus = busyStatus
    }
}

/// Compares a FastCGI key with a literal without making a string of it.
enum CGIKey {
    static func matches(_ key: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard key.count == literal.utf8CodeUnitCount else { return false }
        return key.elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: key.count))
    }
}
