/// What the store keeps under a ``ResendKey``: while its run goes on, only the body's digest (to tell
/// a reused `Idempotency-Key`); once it is over, the answer as it was sent, to be replayed byte for byte.
///
/// On disk: text lines (`claude-fcgi resend 1`, `running` or `done`, `body-sha256 HEX`, then for a done
/// one `time SECONDS`, `request-id ID`, `status N`, `length N` and a `header NAME: VALUE` line per
/// header field), a blank line, then the body's bytes.
public struct ResendEntry: Sendable, Equatable {
    public var bodyHash: String
    /// The answer as it was sent (a streamed one: its head and the whole event stream); `nil` while the
    /// run goes on.
    public var response: HTTPResponse?
    /// When the answer was stored, in seconds since the epoch.
    public var storedAt: Int64
    /// The run's request id, as in the audit log (for the request log of a replay).
    public var requestID: String?

    public init(bodyHash: String, response: HTTPResponse? = nil, storedAt: Int64 = 0, requestID: String? = nil) {
        self.bodyHash = bodyHash
        self.response = response
        self.storedAt = storedAt
        self.requestID = requestID
    }

    public var isDone: Bool { response != nil }

    static let magic = "claude-fcgi resend 1"

    /// The entry's bytes on disk.
    func encode() -> [UInt8] {
        var lines = [Self.magic, isDone ? "done" : "running", "body-sha256 \(bodyHash)"]
        if let response {
            lines += ["time \(storedAt)", "request-id \(requestID.map { OneLine.clean($0) } ?? "")", "status \(response.status)", "length \(response.body.count)"]
            // A field that would break its line is not one this service sends.
            lines += response.headers.filter { !Self.breaksLine($0.name) && !Self.breaksLine($0.value) }.map { "header \($0.name): \($0.value)" }
        }
        return Array((lines.joined(separator: "\n") + "\n\n").utf8) + (response?.body ?? [])
    }

    /// The entry in `bytes`; `nil` for what is not one (a file cut short, another format).
    static func decode(_ bytes: [UInt8]) -> ResendEntry? {
        guard let end = headEnd(bytes) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines[0] == Self.magic, lines[2].hasPrefix("body-sha256 ") else { return nil }
        var entry = ResendEntry(bodyHash: String(lines[2].dropFirst("body-sha256 ".count)))
        switch lines[1] {
        case "running": return lines.count == 3 ? entry : nil
        case "done": break
        default: return nil
        }
        var fields: [String: String] = [:]
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst(3) {
            guard let space = line.firstIndex(of: " ") else { return nil }
            let (name, value) = (String(line[..<space]), String(line[line.index(after: space)...]))
            if name == "header" {
                // A field's name has no colon; its value may.
                guard let colon = value.firstIndex(of: ":"), value[colon...].hasPrefix(": ") else { return nil }
                headers.append((String(value[..<colon]), String(value[value.index(colon, offsetBy: 2)...])))
            } else {
                fields[name] = value
            }
        }
        let body = Array(bytes[(end + 2)...])
        guard let time = fields["time"].flatMap({ Int64($0) }), let status = fields["status"].flatMap({ Int($0) }),
              let length = fields["length"].flatMap({ Int($0) }), length == body.count else { return nil }
        entry.storedAt = time
        entry.requestID = fields["request-id"].flatMap { $0.isEmpty ? nil : $0 }
        entry.response = HTTPResponse(status: status, headers: headers, body: body)
        return entry
    }

    /// Where the head's blank line begins (the index of its first `\n`).
    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0a && bytes[index + 1] == 0x0a { return index }
            index += 1
        }
        return nil
    }

    private static func breaksLine(_ text: String) -> Bool {
        text.utf8.contains { $0 == 0x0a || $0 == 0x0d }
    }
}
