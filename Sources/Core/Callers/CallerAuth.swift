/// Who sent a request: the holder of the token, or the caller whose key it presents.
///
/// The token is compared first, as ``BearerAuth`` always did, so that a request with it costs no hash
/// and no `stat`. A keyed request costs one SHA-256 and one `stat` of the keys file.
public struct CallerAuth: Sendable {
    let token: BearerAuth
    let keys: KeyRing?

    /// - Parameters:
    ///   - token: the check of the single token (the caller ``Caller/tokenHolder``).
    ///   - keys: the callers' keys; `nil`: the token alone.
    public init(token: BearerAuth, keys: KeyRing?) {
        self.token = token
        self.keys = keys
    }

    /// The caller of a request with these headers.
    /// - Parameters:
    ///   - authorizationHeader: the `Authorization` header (`Bearer <token or key>`).
    ///   - apiKey: the `x-api-key` header, where the route takes it (`nil` elsewhere).
    /// - Throws: ``APIError/unauthorized`` for anything but the token or a key in force (unknown, revoked).
    public func caller(authorizationHeader: String?, apiKey: String?) throws(APIError) -> Caller {
        if (try? token.check(authorizationHeader: authorizationHeader, apiKey: apiKey)) != nil { return .tokenHolder }
        guard let keys else { throw .unauthorized }
        if let apiKey {
            let key = apiKey.trimmingWhitespace()
            if !key.isEmpty, let caller = keys.caller(presenting: key.utf8) { return caller }
        }
        if let authorizationHeader, let credential = BearerAuth.asciiToken(fromHeader: authorizationHeader)
            ?? BearerAuth.characterToken(fromHeader: authorizationHeader),
           let caller = keys.caller(presenting: credential.utf8) {
            return caller
        }
        throw .unauthorized
    }
}
