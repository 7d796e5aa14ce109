import Testing
@testable import Core

@Suite struct ExecuteRequestDecoderTests {
    let caps = JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900)

    @Test func decodesTheFields() throws {
        let request = try ExecuteRequestDecoder.decode(Array(#"{"prompt":"p","agent":"a-1","max_budget_usd":1,"timeout_s":30.5}"#.utf8), caps: caps)
        #expect(request == ExecuteRequest(prompt: "p", agent: "a-1", maxBudgetUSD: 1, timeoutSeconds: 30.5))
    }

    @Test(arguments: [
        (#"{"prompt":"p","timeout":5}"#, "unknown field 'timeout'"),
        (#"{"prompt":"p","max_budget_usd":3}"#, "max_budget_usd 3 is above the cap of 2"),
        (#"{"prompt":"p","timeout_s":-1}"#, "timeout_s must be a positive number"),
        (#"{"prompt":"a\u0000b"}"#, "prompt contains a NUL character"),
    ])
    func refusesWithAMessage(body: String, message: String) {
        #expect(throws: APIError.invalidRequest(message)) { try ExecuteRequestDecoder.decode(Array(body.utf8), caps: caps) }
    }
}
