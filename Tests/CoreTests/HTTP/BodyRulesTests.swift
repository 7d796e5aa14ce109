import Testing
@testable import Core

@Suite struct BodyRulesTests {
    let rules = BodyRules(maxBodyBytes: 10)

    func request(_ body: String, type: String?) -> HTTPRequest {
        HTTPRequest(method: "POST", path: "/", headers: type.map { ["Content-Type": $0] } ?? [:], body: Array(body.utf8))
    }

    @Test func sizeAndMediaType() {
        #expect(throws: APIError.bodyTooLarge(limit: 10)) { try rules.check(request("01234567890", type: nil)) }
        #expect(throws: APIError.unsupportedMediaType("text/plain")) { try rules.check(request("{}", type: "text/plain")) }
        #expect(throws: Never.self) { try rules.check(request("{}", type: "Application/JSON ; charset=utf-8")) }
        #expect(throws: Never.self) { try rules.check(request("0123456789", type: nil)) }
    }
}
