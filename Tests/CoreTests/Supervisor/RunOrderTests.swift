import Testing
@testable import Core

@Suite struct RunOrderTests {
    @Test(arguments: [
        ClaudeInvocation(requestID: "r1", model: "gpt-4o", prompt: "System instructions:\nBe brief.\n\n---\n\nRequest:\nhi \u{1F30D}", agent: "triage"),
        ClaudeInvocation(requestID: "", model: "", prompt: "", agent: nil),
        ClaudeInvocation(requestID: "r2", model: "m", prompt: "x", agent: ""),
        ClaudeInvocation(requestID: "r3", model: "m", prompt: "x", agent: nil, jsonSchema: #"{"type":"object"}"#),
        ClaudeInvocation(requestID: "r4", model: "m", prompt: "x", agent: "a", jsonSchema: ""),
        ClaudeInvocation(requestID: "r5", model: "m", prompt: "x", agent: nil, streamsText: true),
    ])
    func anOrderSurvivesTheTrip(invocation: ClaudeInvocation) throws {
        let bytes = RunOrder(invocation: invocation).encode()
        var frames = Frames.Reader()
        bytes.withUnsafeBytes { frames.feed($0) }
        let frame = try #require(try frames.next()?.get())
        #expect(RunOrder.decode(kind: frame.kind, payload: frame.payload) == RunOrder(invocation: invocation))
    }

    @Test func aCutOrderIsNoOrder() {
        let bytes = RunOrder(invocation: ClaudeInvocation(requestID: "r", prompt: "prompt", agent: "a")).encode()
        let payload = bytes[Frames.headerSize...].dropLast(3)
        #expect(RunOrder.decode(kind: RunOrder.kind, payload: payload) == nil)
        #expect(RunOrder.decode(kind: 9, payload: bytes[Frames.headerSize...]) == nil)
    }
}
