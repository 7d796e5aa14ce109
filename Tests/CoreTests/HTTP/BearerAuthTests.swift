import Testing
@testable import Core

@Suite struct BearerAuthTests {
    let auth = BearerAuth(token: "s3cret-token")

    @Test(arguments: ["Bearer s3cret-token", "bearer s3cret-token", "BEARER s3cret-token", "Bearer   s3cret-token  "])
    func acceptsTheRightTokenWithAnyCaseOfScheme(header: String) throws {
        try auth.check(authorizationHeader: header)
    }

    @Test(arguments: [
        nil, "", "Bearer", "Bearer ", "s3cret-token", "Basic s3cret-token", "Bearer wrong", "Bearer s3cret-toke",
        "Bearer s3cret-token2", "Bearer s3cret-token other", "Bearer s3cret-token,Bearer s3cret-token", "Token s3cret-token",
    ] as [String?])
    func refusesMissingMalformedOrWrong(header: String?) {
        #expect(throws: APIError.unauthorized) { try auth.check(authorizationHeader: header) }
    }

    @Test func unauthorizedResponseCarriesTheChallenge() {
        let response = APIError.unauthorized.response
        #expect(response.status == 401)
        #expect(response.header("WWW-Authenticate") == "Bearer")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":"unauthorized"}"#)
    }

    @Test func anASCIIHeaderIsReadAsItsCharactersWouldBe() {
        let headers = ["Bearer tok", "  bearer\t tok \t", "Bearer", "Bearer ", " Bearer \t", "Basic tok", "Bearer a b",
                       "Bearer a\u{0B}b", "Bearer a\r\nb", "Bearer a\nb", "Bearerx tok", "\tBEARER tok", "Bearer\ttok",
                       "Bear tok", "bearer tok\u{0C}", "Bearer \u{1F}x", "BeArEr x", "Bearer\u{0C}tok", ""]
        for header in headers {
            #expect(BearerAuth.asciiToken(fromHeader: header) == BearerAuth.characterToken(fromHeader: header), "\(header.debugDescription)")
        }
        #expect(BearerAuth.asciiToken(fromHeader: "bEARER  tok ") == "tok")
    }

    @Test func constantTimeEqualContract() {
        #expect(BearerAuth.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!BearerAuth.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!BearerAuth.constantTimeEqual(Array("abc".utf8), Array("ab".utf8)))
        #expect(!BearerAuth.constantTimeEqual(Array("ab".utf8), Array("abc".utf8)))
        #expect(!BearerAuth.constantTimeEqual([], Array("a".utf8)))
        #expect(BearerAuth.constantTimeEqual([], []))
        // A differing first byte and a differing last byte are both found (the loop never stops early).
        #expect(!BearerAuth.constantTimeEqual(Array("xbcdef".utf8), Array("abcdef".utf8)))
        #expect(!BearerAuth.constantTimeEqual(Array("abcdex".utf8), Array("abcdef".utf8)))
    }
}
