import Testing
@testable import Core

@Suite struct ResendKeyTests {
    static let alice = Caller(name: "alice")

    func request(_ headers: [String: String], body: String = #"{"model":"m"}"#, path: String = "/v1/chat/completions") -> HTTPRequest {
        HTTPRequest(method: "POST", path: path, headers: headers, body: Array(body.utf8))
    }

    func key(_ request: HTTPRequest, _ caller: Caller = alice) throws -> ResendKey? {
        try ResendKey.of(request: request, caller: caller)
    }

    @Test func aRequestWithoutEitherHeaderHasNoKey() throws {
        #expect(try key(request(["content-type": "application/json"])) == nil)
    }

    @Test func anIdempotencyKeyNamesTheRequestWhateverItsBodyAndTellsTheBodyApart() throws {
        let first = try #require(try key(request(["Idempotency-Key": "order-17"])))
        let again = try #require(try key(request(["idempotency-key": "order-17"])))
        let otherBody = try #require(try key(request(["Idempotency-Key": "order-17"], body: "{}")))
        #expect(first == again)
        #expect(otherBody.id == first.id)
        #expect(otherBody.bodyHash != first.bodyHash)
        #expect(first.isResend)
        #expect(first.idempotencyKey == "order-17")
        #expect(first.id.utf8.count == 64)
        #expect(first.id == SHA256.hex(Array("idem\0alice\0POST /v1/chat/completions\0order-17".utf8)))
    }

    @Test func theKeyIsTheCallersAndThePaths() throws {
        let first = try #require(try key(request(["Idempotency-Key": "k"])))
        #expect(try key(request(["Idempotency-Key": "k"]), Caller(name: "bob"))?.id != first.id)
        #expect(try key(request(["Idempotency-Key": "k"], path: "/v1/responses"))?.id != first.id)
    }

    @Test func theSDKsRetryCountNamesTheRequestByItsBodyAndOnlyAResendMayAttach() throws {
        let first = try #require(try key(request(["X-Stainless-Retry-Count": "0"])))
        let resend = try #require(try key(request(["x-stainless-retry-count": "1"])))
        let other = try #require(try key(request(["x-stainless-retry-count": "1"], body: "{}")))
        #expect(first.id == resend.id, "a re-send finds its first attempt")
        #expect(other.id != resend.id)
        #expect(!first.isResend)
        #expect(resend.isResend)
        #expect(try key(request(["x-stainless-retry-count": "2"]))?.isResend == true)
        #expect(try key(request(["x-stainless-retry-count": "x"]))?.isResend == false)
        #expect(resend.idempotencyKey == nil)
        #expect(try key(request(["x-stainless-retry-count": "1"]), Caller(name: "bob"))?.id != resend.id)
    }

    @Test func anIdempotencyKeyComesBeforeTheSDKs() throws {
        let both = try #require(try key(request(["Idempotency-Key": "k", "x-stainless-retry-count": "0"])))
        #expect(both.source == .idempotencyKey("k"))
        #expect(both.isResend)
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "clé", "a\tb", "a\u{7f}"])
    func aBadIdempotencyKeyIsA400(_ bad: String) {
        #expect(throws: APIError.invalidRequest("Idempotency-Key must be 1 to 255 printable ASCII characters")) {
            try key(request(["Idempotency-Key": bad]))
        }
    }

    @Test func theLongestAndOddestGoodKeysAreTaken() throws {
        #expect(try key(request(["Idempotency-Key": String(repeating: "k", count: 255)])) != nil)
        #expect(try key(request(["Idempotency-Key": " ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}"])) != nil)
    }
}
