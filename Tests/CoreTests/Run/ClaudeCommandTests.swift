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

    @Test func aSchemaIsOneArgumentOfItsOwn() {
        let command = ClaudeCommand(settings: testRunSettings.claude)
        let schema = #"{"type":"object","description":"a b; $(rm -rf /) --agent x"}"#
        let spec = command.spec(for: ClaudeInvocation(prompt: "p", agent: "triage", jsonSchema: schema))
        #expect(spec.arguments == ["-p", "--output-format", "json", "--no-session-persistence", "--agent", "triage",
                                   "--json-schema", schema, "--max-budget-usd", "2.00"])
        #expect(spec.stdin == Array("p".utf8))
    }

    @Test func aRunWithASchemaNeedsStructuredOutput() {
        let launcher = FakeLauncher()
        launcher.answer("/usr/bin/claude", .success(ProcessResult(
            termination: .exited(0), stdout: Array(#"{"type":"result","is_error":false,"result":"text"}"#.utf8), stderr: [], timedOut: false)))
        let outcome = ClaudeCommand(settings: testRunSettings.claude, launcher: launcher).run(ClaudeInvocation(prompt: "x", agent: nil, jsonSchema: "{}"))
        guard case .failed(let detail, _) = outcome else {
            Issue.record("not a failure: \(outcome)")
            return
        }
        #expect(detail.hasPrefix("no structured output"))
    }

    @Test func aTimeoutIsReportedWithTheConfiguredSeconds() {
        let launcher = FakeLauncher()
        launcher.answer("/usr/bin/claude", .success(ProcessResult(termination: .signaled(15), stdout: [], stderr: [], timedOut: true)))
        let outcome = ClaudeCommand(settings: testRunSettings.claude, launcher: launcher).run(ClaudeInvocation(prompt: "x", agent: nil))
        #expect(outcome == .timedOut(detail: "timed out after 900 s", report: ClaudeReport()))
    }
}
