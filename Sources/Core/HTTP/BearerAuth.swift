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
        guard var header else { throw .unauthorized }
        let accepted = header.withUTF8 { bytes -> Bool? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            guard let credential = BearerAuth.asciiCredential(bytes) else { return false }
            return token.withUnsafeBufferPointer { BearerAuth.constantTimeEqual(UnsafeBufferPointer(rebasing: bytes[credential]), $0) }
        } ?? BearerAuth.characterToken(fromHeader: header).map { BearerAuth.constantTimeEqual(Array($0.utf8), token) }
        guard accepted == true else { throw .unauthorized }
    }

    /// Throws ``APIError/unauthorized`` unless either header carries the token: `x-api-key` (where a
    /// route takes it) or `Authorization: Bearer` (a client may send an unrelated key beside its token).
    public func check(authorizationHeader: String?, apiKey: String?) throws(APIError) {
        if let apiKey, (try? check(apiKey: apiKey)) != nil { return }
        try check(authorizationHeader: authorizationHeader)
    }

    /// Throws ``APIError/unauthorized`` unless an `x-api-key` header (Anthropic's clients' way) is exactly
    /// the configured token, blanks around it aside; compared in constant time.
    public func check(apiKey header: String) throws(APIError) {
        let key = header.trimmingWhitespace()
        guard !key.isEmpty, BearerAuth.constantTimeEqual(Array(key.utf8), token) else { throw .unauthorized }
    }

    /// The token of a well-formed `Bearer` credential, by Swift's characters and their whitespace:
    /// scheme, one or more spaces, one non-empty token with no whitespace in it. `nil` for anything else.
    static func characterToken(fromHeader header: String) -> Substring? {
        let trimmed = header.drop { $0 == " " || $0 == "\t" }
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        guard trimmed[..<space].lowercased() == "bearer" else { return nil }
        var credential = trimmed[space...].drop { $0 == " " || $0 == "\t" }
        while let last = credential.last, last == " " || last == "\t" { credential = credential.dropLast() }
        guard !credential.isEmpty, !credential.contains(where: { $0.isWhitespace }) else { return nil }
        return credential
    }

    /// ``characterToken(fromHeader:)`` for an ASCII header, by bytes (the tests hold the two equal).
    static func asciiToken(fromHeader header: String) -> Substring? {
        var header = header
        guard let credential = header.withUTF8({ asciiCredential($0) }) else { return nil }
        let utf8 = header.utf8
        return header[utf8.index(utf8.startIndex, offsetBy: credential.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: credential.upperBound)]
    }

    /// Where the token is in an ASCII header (every header in practice), found byte by byte: the same
    /// answer as ``characterToken(fromHeader:)`` without Unicode's grapheme and whitespace rules, which
    /// every busy answer paid for.
    static func asciiCredential(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = 0
        while start < bytes.count, isBlank(bytes[start]) { start += 1 }
        var space = start
        while space < bytes.count, !isBlank(bytes[space]) { space += 1 }
        guard space < bytes.count, space - start == 6 else { return nil }
        for (offset, letter) in "bearer".utf8.enumerated() where bytes[start + offset] | 0x20 != letter { return nil }
        var first = space
        while first < bytes.count, isBlank(bytes[first]) { first += 1 }
        var end = bytes.count
        while end > first, isBlank(bytes[end - 1]) { end -= 1 }
        guard first < end else { return nil }
        // Character.isWhitespace's ASCII members: tab, line feed, vertical tab, form feed, carriage return, space.
        for index in first..<end where (9...13).contains(bytes[index]) || bytes[index] == 32 { return nil }
        return first..<end
    }

    /// Compares two byte strings in time that depends only on their lengths, never on where they
    /// first differ.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        lhs.withUnsafeBufferPointer { lhs in rhs.withUnsafeBufferPointer { constantTimeEqual(lhs, $0) } }
    }

    static func constantTimeEqual(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
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
