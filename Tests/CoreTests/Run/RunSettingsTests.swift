import Testing
@testable import Core

@Suite struct RunSettingsTests {
    @Test func aPlanTakesTheSettingsAndAJobsOwnLimits() {
        let invocation = ClaudeInvocation(requestID: "r", prompt: "p", agent: nil)
        let chat = testRunSettings.plan(invocation, kind: .chat)
        #expect(chat.claude == testRunSettings.claude)
        #expect(chat.gitSync == testRunSettings.gitSync)
        let job = testRunSettings.plan(invocation, kind: .chat, timeoutSeconds: 60, maxBudgetUSD: 0.5)
        #expect(job.claude.timeoutSeconds == 60)
        #expect(job.claude.maxBudgetUSD == "0.5")
        #expect(job.claude.environment == testRunSettings.claude.environment)
        #expect(testRunSettings.lockPath == "/tmp/run.lock")
    }
}
