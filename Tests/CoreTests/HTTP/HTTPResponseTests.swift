import Testing
@testable import Core

@Suite struct HTTPResponseTests {
    @Test func cgiHeadIsWellFormed() {
        let head = APIError.busy(retryAfterSeconds: 10).response.cgiHead()
        #expect(head.hasPrefix("Status: 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 10\r\n"))
        #expect(head.hasSuffix("\r\n\r\n"))
    }
}
