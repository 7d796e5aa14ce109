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
        let trimmed = header.drop { $0 == " " || $0 == "\t" }
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        guard trimmed[..<space].lowercased() == "bearer" else { return nil }
        var credential = trimmed[space...].drop { $0 == " " || $0 == "\t" }
        while let last = credential.last, last == " " || last == "\t" { credential = credential.dropLast() }
        guard !credential.isEmpty, !credential.contains(where: { $0.isWhitespace }) else { return nil }
        return credential
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
