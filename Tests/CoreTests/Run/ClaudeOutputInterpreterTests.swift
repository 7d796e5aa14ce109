import Testing
@testable import Core

@Suite struct ClaudeOutputInterpreterTests {
    func interpret(_ stdout: String, exit: Int32 = 0, stderr: String = "", timedOut: Bool = false,
                   signal: Int32? = nil, structured: Bool = false) -> ClaudeOutcome {
        let termination: ProcessResult.Termination = signal.map { .signaled($0) } ?? .exited(exit)
        return ClaudeOutputInterpreter.interpret(
            ProcessResult(termination: termination, stdout: Array(stdout.utf8), stderr: Array(stderr.utf8), timedOut: timedOut),
            timeoutSeconds: 900, expectsStructuredOutput: structured)
    }

    @Test func usageKeepsTheFourCountsAndSumsThePrompt() throws {
        guard case .succeeded(_, let report) = interpret(#"{"result":"x","usage":{"input_tokens":3,"output_tokens":7,"cache_creation_input_tokens":11,"cache_read_input_tokens":2000}}"#) else {
            Issue.record("not a success")
            return
        }
        #expect((report.usage.promptTokens, report.usage.cachedTokens, report.usage.completionTokens, report.usage.totalTokens) == (2014, 2000, 7, 2021))
    }

    @Test func structuredOutputIsTheAnswerInTheModelsKeyOrder() {
        let stdout = #"{"type":"result","subtype":"success","is_error":false,"result":"{\"name\":\"Ada\",\"age\":36}","structured_output":{"name":"Ada","age":36}}"#
        #expect(interpret(stdout, structured: true) == .succeeded(text: #"{"name":"Ada","age":36}"#, report: ClaudeReport(exitCode: 0)))
        // A result that is not the same value: the value is written anew, in its own key order.
        let other = #"{"type":"result","subtype":"success","is_error":false,"result":"done","structured_output":{"b":[1,2.5,null],"a":"x"}}"#
        #expect(interpret(other, structured: true) == .succeeded(text: #"{"b":[1,2.5,null],"a":"x"}"#, report: ClaudeReport(exitCode: 0)))
        // Without a schema, structured_output is not looked at.
        #expect(interpret(stdout) == .succeeded(text: #"{"name":"Ada","age":36}"#, report: ClaudeReport(exitCode: 0)))
    }

    @Test func successWithoutStructuredOutputIsAFailureThatSaysWhy() {
        let stdout = #"{"type":"result","subtype":"success","is_error":false,"result":"Ada is 36."}"#
        guard case .failed(let detail, _) = interpret(stdout, structured: true) else {
            Issue.record("not a failure")
            return
        }
        #expect(detail.hasPrefix("no structured output: the model answered in text"))
        #expect(detail.contains("StructuredOutput"))
        #expect(detail.hasSuffix(": Ada is 36."))
        guard case .failed(let plain, _) = interpret("not json", structured: true) else {
            Issue.record("not a failure")
            return
        }
        #expect(plain.hasPrefix("no structured output"))
    }

    @Test func structuredOutputRetriesExhaustedIsAFailureWithTheCLIWords() {
        let stdout = #"{"type":"result","subtype":"error_max_structured_output_retries","is_error":true,"errors":["Failed to provide valid structured output after 5 attempts — last StructuredOutput error: root: must have required property 'name'"]}"#
        guard case .failed(let detail, _) = interpret(stdout, exit: 1, structured: true) else {
            Issue.record("not a failure")
            return
        }
        #expect(detail.hasPrefix("Failed to provide valid structured output after 5 attempts"))
    }

    @Test func successJSONGivesTextUsageAndCost() {
        let stdout = #"{"type":"result","subtype":"success","is_error":false,"result":"Hello!","total_cost_usd":0.0051,"usage":{"input_tokens":1234,"output_tokens":7,"cache_creation_input_tokens":10,"cache_read_input_tokens":100}}"# + "\n"
        #expect(interpret(stdout) == .succeeded(
            text: "Hello!",
            report: ClaudeReport(usage: TokenUsage(inputTokens: 1234, cacheCreationTokens: 10, cacheReadTokens: 100, outputTokens: 7), costUSD: 0.0051, exitCode: 0)))
    }

    @Test func plainStdoutIsTheTextTrimmed() {
        #expect(interpret("  plain non-json output \n") == .succeeded(text: "plain non-json output", report: ClaudeReport(exitCode: 0)))
    }

    @Test func emptyStdoutIsAFailure() {
        #expect(interpret("") == .failed(detail: "claude produced no output", report: ClaudeReport(exitCode: 0)))
    }

    @Test func isErrorIsAFailureWithTheCLIMessageWhateverTheExitCode() {
        let stdout = #"{"type":"result","subtype":"success","is_error":true,"result":"Not logged in · Please run /login","total_cost_usd":0}"#
        for code: Int32 in [0, 1] {
            guard case .failed(let detail, _) = interpret(stdout, exit: code) else {
                Issue.record("not a failure")
                return
            }
            #expect(detail == "Not logged in · Please run /login")
        }
    }

    @Test func errorSubtypesUseErrors() {
        let stdout = #"{"type":"result","subtype":"error_max_budget_usd","is_error":true,"errors":["Reached maximum budget ($0.001)"]}"#
        guard case .failed(let detail, _) = interpret(stdout, exit: 1) else {
            Issue.record("not a failure")
            return
        }
        #expect(detail == "Reached maximum budget ($0.001)")
    }

    @Test func nonZeroExitWithoutJSONGivesCodeAndLastStderrLine() {
        #expect(interpret("", exit: 42, stderr: "first\nboom\n\n") == .failed(detail: "claude exited with code 42: boom", report: ClaudeReport(exitCode: 42)))
        #expect(interpret("", exit: 42, stderr: "") == .failed(detail: "claude exited with code 42", report: ClaudeReport(exitCode: 42)))
        #expect(interpret("", signal: 9) == .failed(detail: "claude was killed by signal 9", report: ClaudeReport()))
    }

    @Test func exitOneWithNothingOnStdoutIsARefusalOfTheArguments() {
        let refusal = interpret("", exit: 1, stderr: "error: unknown option '--x'\n")
        #expect(refusal == .refused(message: "error: unknown option '--x'", report: ClaudeReport(exitCode: 1)))
        #expect(refusal.kind == .failed)
        #expect(refusal.failureDetail == "claude exited with code 1: error: unknown option '--x'")
        #expect(interpret("", exit: 1, stderr: "") == .failed(detail: "claude exited with code 1", report: ClaudeReport(exitCode: 1)))
    }

    @Test func nonZeroExitWithPlainStdoutIsAFailure() {
        #expect(interpret("partial", exit: 3) == .failed(detail: "claude exited with code 3", report: ClaudeReport(exitCode: 3)))
    }

    @Test func timeoutSaysSo() {
        guard case .timedOut(let detail, _) = interpret("", exit: 143, timedOut: true) else {
            Issue.record("not a timeout")
            return
        }
        #expect(detail == "timed out after 900 s")
    }

    @Test func verboseArrayUsesTheResultElement() {
        let stdout = #"[{"type":"system"},{"type":"result","is_error":false,"result":"from array"}]"#
        guard case .succeeded(let text, _) = interpret(stdout) else {
            Issue.record("not a success")
            return
        }
        #expect(text == "from array")
    }

    @Test func spawnErrorsNameThePath() {
        #expect(ClaudeOutputInterpreter.describe(.notFound("/opt/claude")) == "claude not found at /opt/claude")
        #expect(ClaudeOutputInterpreter.describe(.notExecutable("/opt/claude")) == "claude at /opt/claude is not executable")
    }
}
