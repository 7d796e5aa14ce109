import Testing
@testable import Core

@Suite struct ClaudeCommandTests {
    @Test func thePromptGoesOnStdinNeverAsAnArgument() {
        let command = ClaudeCommand(settings: testRunSettings.claude)
        let spec = command.spec(for: ClaudeInvocation(requestID: "r", prompt: "--dangerously-skip-permissions", agent: nil))
        #expect(spec.arguments == ["-p", "--output-format", "json", "--no-session-persistence", "--max-budget-usd", "2.00"])
        #expect(spec.stdin == Array("--dangerously-skip-permissions".utf8))
        #expect(spec.diesWithParent)
        #expect(spec.workingDirectory == "/srv/work")
    }

    @Test func aTimeoutIsReportedWithTheConfiguredSeconds() {
        let launcher = FakeLauncher()
        launcher.answer("/usr/bin/claude", .success(ProcessResult(termination: .signaled(15), stdout: [], stderr: [], timedOut: true)))
        let outcome = ClaudeCommand(settings: testRunSettings.claude, launcher: launcher).run(ClaudeInvocation(prompt: "x", agent: nil))
        #expect(outcome == .timedOut(detail: "timed out after 900 s", report: ClaudeReport()))
    }
}
