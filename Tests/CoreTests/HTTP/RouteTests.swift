import Testing
@testable import Core

@Suite struct RouteTests {
    func route(_ pattern: String) -> Route {
        Route(pattern, methods: ["GET"]) { _, _, _, _ in .json(status: 200, body: []) }
    }

    @Test func aPlainPatternMatchesItsPathOnly() {
        let responses = route("/v1/responses")
        #expect(responses.match("/v1/responses") == "")
        #expect(responses.match("/v1/responses/") == nil)
        #expect(responses.match("/v1/responsesx") == nil)
    }

    @Test func anIDAtTheEndIsTheRestOfThePath() {
        let one = route("/v1/responses/{id}")
        #expect(one.match("/v1/responses/resp_1") == "resp_1")
        #expect(one.match("/v1/responses/resp_1/cancel") == "resp_1/cancel")
        #expect(one.match("/v1/responses/") == "")
        #expect(one.match("/v1/responses") == nil)
    }

    @Test func anIDInsideIsOneSegment() {
        let cancel = route("/v1/responses/{id}/cancel")
        #expect(cancel.match("/v1/responses/resp_1/cancel") == "resp_1")
        #expect(cancel.match("/v1/responses/a/b/cancel") == nil)
        #expect(cancel.match("/v1/responses//cancel") == nil)
        #expect(cancel.match("/v1/responses/cancel") == nil)
        #expect(cancel.match("/v1/responses/resp_1/cancel/") == nil)
        #expect(cancel.match("/v1/responses/resp_1") == nil)
        #expect(cancel.match("/v1/other/resp_1/cancel") == nil)
    }

    @Test func theResponsesRoutesAreTriedCancelFirst() throws {
        let runner = FakeRunner(outcome: .cancelled(report: nil))
        let gate = RunGate(lock: FakeRunLock())
        let routes = Service.table(
            chat: ChatEndpoint(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil), runner: runner),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0),
            responses: ResponsesEndpoint(conversation: ConversationRunner(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil), runner: runner),
                                         store: MemoryResponseStore()),
            messages: nil, execute: nil, metrics: nil)
        let first = try #require(routes.first { $0.match("/v1/responses/resp_1/cancel") != nil })
        #expect(first.pattern == ResponsesEndpoint.cancelPattern)
        #expect(first.methods == ["POST"])
        #expect(first.errorShape == .openAI)
        #expect(routes.first { $0.match("/v1/responses/resp_1") != nil }?.pattern == ResponsesEndpoint.responsePattern)
        #expect(routes.filter { $0.pattern.hasPrefix("/v1/responses") }.allSatisfy { $0.errorShape == .openAI })
    }
}
