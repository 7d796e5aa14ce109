import Testing
@testable import Core

@Suite struct CallerAuthTests {
    let directory = ScratchDirectory("callerauth")

    func auth(keys: Bool = true) -> CallerAuth {
        let path = "\(directory.path)/keys.json"
        writeByRename(path, keysJSON(keyEntry("alice", key: "cfk_alice", limits: CallerLimits(dailyUSD: 1)), keyEntry("bob", key: "cfk_bob")))
        return CallerAuth(token: BearerAuth(token: "the-token"), keys: keys ? KeyRing(path: path, log: LogLines().log) : nil)
    }

    func caller(_ auth: CallerAuth, bearer: String? = nil, apiKey: String? = nil) -> Caller? {
        try? auth.caller(authorizationHeader: bearer, apiKey: apiKey)
    }

    @Test func theTokenIsTheTokenHolderEitherWay() {
        defer { directory.remove() }
        let auth = auth()
        #expect(caller(auth, bearer: "Bearer the-token") == .tokenHolder)
        #expect(caller(auth, apiKey: "the-token") == .tokenHolder)
        #expect(caller(auth, bearer: "Bearer cfk_alice", apiKey: "the-token") == .tokenHolder)
        #expect(caller(CallerAuth(token: BearerAuth(token: "the-token"), keys: nil), bearer: "bearer  the-token ") == .tokenHolder)
    }

    @Test func aKeyIsItsCallerAsBearerOrAPIKey() {
        defer { directory.remove() }
        let auth = auth()
        #expect(caller(auth, bearer: "Bearer cfk_alice") == Caller(name: "alice", limits: CallerLimits(dailyUSD: 1)))
        #expect(caller(auth, bearer: "bearer\tcfk_bob ")?.name == "bob")
        #expect(caller(auth, apiKey: " cfk_bob ")?.name == "bob")
        // An unrelated key beside it does not hide the one that counts.
        #expect(caller(auth, bearer: "Bearer cfk_alice", apiKey: "sk-ant-unrelated")?.name == "alice")
        #expect(caller(auth, bearer: "Bearer unrelated", apiKey: "cfk_bob")?.name == "bob")
    }

    @Test func anythingElseIsUnauthorized() {
        defer { directory.remove() }
        let auth = auth()
        for (bearer, apiKey) in [(nil, nil), ("Bearer cfk_carol", nil), (nil, "cfk_carol"), ("cfk_alice", nil), ("Basic cfk_alice", nil),
                                 ("Bearer", nil), (nil, ""), ("Bearer cfk_alice extra", nil), ("Bearer cfk_alicex", nil)] as [(String?, String?)] {
            #expect(throws: APIError.unauthorized) { try auth.caller(authorizationHeader: bearer, apiKey: apiKey) }
        }
    }

    @Test func withoutKeysOnlyTheTokenCounts() {
        defer { directory.remove() }
        let auth = auth(keys: false)
        #expect(throws: APIError.unauthorized) { try auth.caller(authorizationHeader: "Bearer cfk_alice", apiKey: nil) }
        #expect(throws: APIError.unauthorized) { try auth.caller(authorizationHeader: nil, apiKey: "cfk_bob") }
    }

    @Test func aRevokedKeyIsUnauthorized() {
        defer { directory.remove() }
        let auth = auth()
        #expect(caller(auth, bearer: "Bearer cfk_bob")?.name == "bob")
        writeByRename("\(directory.path)/keys.json", keysJSON(keyEntry("alice", key: "cfk_alice")))
        #expect(throws: APIError.unauthorized) { try auth.caller(authorizationHeader: "Bearer cfk_bob", apiKey: nil) }
        #expect(caller(auth, bearer: "Bearer cfk_alice")?.name == "alice")
    }
}
