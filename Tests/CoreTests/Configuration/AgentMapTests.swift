import Testing
@testable import Core

@Suite struct AgentMapTests {
    @Test func parsesExactFallbackAndNoAgent() throws {
        let map = try AgentMap(spec: "gpt-4o = recruiter-triage, plain=, *=default-agent")
        #expect(map.agent(forModel: "gpt-4o") == "recruiter-triage")
        #expect(map.agent(forModel: "plain") == nil)
        #expect(map.agent(forModel: "other") == "default-agent")
        #expect(map.agents == ["default-agent", "recruiter-triage"])
    }

    @Test func withoutAFallbackOtherModelsGetNoAgent() throws {
        #expect(try AgentMap(spec: "a=b").agent(forModel: "z") == nil)
    }

    @Test func defaultMapSendsEveryModelToRecruiterTriage() throws {
        #expect(try AgentMap(spec: AgentMap.defaultSpec).agent(forModel: "gpt-4o-mini") == "recruiter-triage")
    }
}
