/// How a request that may be sent again is known: by its `Idempotency-Key`, or by the openai SDK's
/// retry headers and its body. Two requests with the same key are one request sent twice: the second
/// gets the first one's answer (``ResendGuard``).
public struct ResendKey: Sendable, Equatable {
    /// Where the key came from.
    public enum Source: Sendable, Equatable {
        /// An `Idempotency-Key` header, as sent.
        case idempotencyKey(String)
        /// The openai SDK's `x-stainless-retry-count`: 0 on its first attempt, 1 and 2 on its re-sends
        /// (`nil` for a value that is no number).
        case sdkRetry(count: Int?)
    }

    /// The entry's name in the store: SHA-256 (hex) of the caller, the method and path, and the key
    /// (or, for the SDK, the body): one caller's key never finds another's answer.
    public let id: String
    /// SHA-256 (hex) of the body: the same `Idempotency-Key` with another body is a conflict.
    public let bodyHash: String
    public let source: Source

    /// Whether the request is the same as an earlier one with this key: it may wait for that one's run
    /// and take its answer. An `Idempotency-Key` says so; of the SDK's attempts only a re-send (count
    /// ≥ 1) does: two requests with the same body and count 0 are two questions, and get two runs (the
    /// later one's answer replaces the earlier one's, for its own re-sends).
    public var isResend: Bool {
        switch source {
        case .idempotencyKey: true
        case .sdkRetry(let count): (count ?? 0) >= 1
        }
    }

    /// The `Idempotency-Key` as sent, `nil` for the SDK's.
    public var idempotencyKey: String? {
        if case .idempotencyKey(let key) = source { return key }
        return nil
    }

    init(id: String, bodyHash: String, source: Source) {
        self.id = id
        self.bodyHash = bodyHash
        self.source = source
    }

    /// Most characters of an `Idempotency-Key`.
    public static let maxKeyLength = 255

    /// The key of `request` sent by `caller`: from its `Idempotency-Key` (1–255 printable ASCII
    /// characters, else a 400), else from `x-stainless-retry-count` (present with any value); `nil`
    /// for a request that carries neither (it is answered as always).
    public static func of(request: HTTPRequest, caller: Caller) throws(APIError) -> ResendKey? {
        let target = "\(caller.name)\0\(request.method) \(request.path)\(request.query.isEmpty ? "" : "?" + request.query)\0"
        let bodyHash = SHA256.hex(request.body)
        if let key = request.header("idempotency-key") {
            guard isValid(key) else {
                throw .invalidRequest("Idempotency-Key must be 1 to \(maxKeyLength) printable ASCII characters")
            }
            return ResendKey(id: SHA256.hex(Array("idem\0\(target)\(key)".utf8)), bodyHash: bodyHash, source: .idempotencyKey(key))
        }
        if let count = request.header("x-stainless-retry-count") {
            // The body's digest stands for the body: the same request is the same bytes.
            return ResendKey(id: SHA256.hex(Array("sdk\0\(target)\(bodyHash)".utf8)), bodyHash: bodyHash,
                             source: .sdkRetry(count: Int(count.trimmingWhitespace())))
        }
        return nil
    }

    static func isValid(_ key: String) -> Bool {
        let bytes = key.utf8
        return (1...maxKeyLength).contains(bytes.count) && bytes.allSatisfy { (0x20...0x7e).contains($0) }
    }
}
