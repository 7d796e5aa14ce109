/// Checks an `Authorization: Bearer <token>` header against the configured token.
public struct BearerAuth: Sendable {
    private let token: [UInt8]

    /// - Parameter token: the configured token; must not be empty.
    public init(token: String) {
        self.token = Array(token.utf8)
    }

    /// Throws ``APIError/unauthorized`` unless the header carries exactly the configured token.
    /// The scheme is case-insensitive; the token is compared in constant time.
    public func check(authorizationHeader header: String?) throws(APIError) {
        guard let header, let presented = BearerAuth.token(fromHeader: header) else { throw .unauthorized }
        guard BearerAuth.constantTimeEqual(Array(presented.utf8), token) else { throw .unauthorized }
    }

    /// The token of a well-formed `Bearer` credential: scheme, one or more spaces, one non-empty token
    /// with no whitespace in it. `nil` for anything else.
    static func token(fromHeader header: String) -> Substring? {
        header.utf8.allSatisfy { $0 < 0x80 } ? asciiToken(fromHeader: header) : characterToken(fromHeader: header)
    }

    /// ``token(fromHeader:)`` by Swift's characters and their whitespace.
    static func characterToken(fromHeader header: String) -> Substring? {
        let trimmed = header.drop { $0 == " " || $0 == "\t" }
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        guard trimmed[..<space].lowercased() == "bearer" else { return nil }
        var credential = trimmed[space...].drop { $0 == " " || $0 == "\t" }
        while let last = credential.last, last == " " || last == "\t" { credential = credential.dropLast() }
        guard !credential.isEmpty, !credential.contains(where: { $0.isWhitespace }) else { return nil }
        return credential
    }

    /// ``token(fromHeader:)`` for an ASCII header (every header in practice), byte by byte: the same
    /// answer without Unicode's grapheme and whitespace rules, which a busy answer paid for.
    static func asciiToken(fromHeader header: String) -> Substring? {
        let bytes = header.utf8
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !isBlank($0) }),
              let space = bytes[start...].firstIndex(where: isBlank) else { return nil }
        guard bytes[start..<space].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        guard let first = bytes[space...].firstIndex(where: { !isBlank($0) }),
              let last = bytes[first...].lastIndex(where: { !isBlank($0) }) else { return nil }
        let credential = bytes[first...last]
        // Character.isWhitespace's ASCII members: tab, line feed, vertical tab, form feed, carriage return, space.
        guard !credential.contains(where: { (9...13).contains($0) || $0 == 32 }) else { return nil }
        return header[first...last]
    }

    /// Compares two byte strings in time that depends only on their lengths, never on where they
    /// first differ.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: lhs.count ^ rhs.count)
        let length = max(lhs.count, rhs.count)
        for index in 0..<length {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= UInt(left ^ right)
        }
        return difference == 0
    }
}
