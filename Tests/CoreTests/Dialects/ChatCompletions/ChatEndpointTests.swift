import FoundationEssentials
import Testing
@testable import Core

@Suite struct ChatEndpointTests {
    let lock = FakeRunLock()
    let runner: FakeRunner
    let service: Service

    init() {
        runner = FakeRunner(outcome: .succeeded(text: "Paris.", report: ClaudeReport(usage: TokenUsage(inputTokens: 4, cacheCreationTokens: 1, cacheReadTokens: 5, outputTokens: 2))), lock: lock)
        service = Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 1000),
            chat: ChatEndpoint(gate: RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs(), retryAfterSeconds: 7), run: testRunSettings,
                               agentMap: AgentMap(exact: ["plain": nil], fallback: "recruiter-triage"), runner: runner),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0))
    }

    func chat(_ body: String, authorization: String? = "Bearer tok", contentType: String? = "application/json") -> HandledRequest {
        var headers: [String: String] = [:]
        if let authorization { headers["Authorization"] = authorization }
        if let contentType { headers["Content-Type"] = contentType }
        return service.handle(HTTPRequest(method: "POST", path: "/v1/chat/completions", headers: headers, body: Array(body.utf8)))
    }

    func json(_ response: HTTPResponse) -> JSONObject {
        guard case .object(let object)? = JSONValue.parse(response.body) else { return [:] }
        return object
    }

    let good = #"{"model":"claude-haiku-4-5","messages":[{"role":"system","content":"Be concise."},{"role":"user","content":"Capital of France?"}]}"#

    @Test func happyPathReturnsTheEnvelope() {
        let handled = chat(good)
        #expect(handled.response.status == 200)
        #expect(handled.response.header("Content-Type") == "application/json")
        #expect(handled.run == RunNote(outcome: .ran(.succeeded), requestID: "fixedid", caller: "default"))
        #expect(String(decoding: handled.response.body, as: UTF8.self) == #"{"choices":[{"finish_reason":"stop","index":0,"message":{"content":"Paris.","role":"assistant"}}],"created":1700000000,"id":"chatcmpl-fixedid","model":"claude-haiku-4-5","object":"chat.completion","usage":{"completion_tokens":2,"prompt_tokens":10,"prompt_tokens_details":{"cached_tokens":5},"total_tokens":12}}"#)
        #expect(runner.invocations == [ClaudeInvocation(
            requestID: "fixedid", model: "claude-haiku-4-5",
            prompt: "System instructions:\nBe concise.\n\n---\n\nRequest:\nCapital of France?", agent: "recruiter-triage")])
        #expect(runner.lockWasHeld == [true])
        #expect(lock.releases == 1)
    }

    @Test func aJSONSchemaRunGetsTheSchemaAndAnswersTheValue() {
        runner.outcome = .succeeded(text: #"{"name":"Ada","age":36}"#, report: ClaudeReport())
        let handled = chat(#"{"model":"m","messages":[{"role":"user","content":"Ada is 36"}],"response_format":{"type":"json_schema","json_schema":{"name":"P","schema":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}}}}}}"#)
        #expect(handled.response.status == 200)
        // The client's schema in the client's key order.
        #expect(runner.invocations.first?.jsonSchema == #"{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}}}"#)
        // The schema never goes into the prompt.
        #expect(runner.invocations.first?.prompt == "Request:\nAda is 36")
        guard case .array(let choices)? = json(handled.response)["choices"], case .object(let choice)? = choices.first,
              case .object(let message)? = choice["message"] else {
            Issue.record("no message")
            return
        }
        #expect(message["content"] == .string(#"{"name":"Ada","age":36}"#))
        #expect(choice["finish_reason"] == .string("stop"))
    }

    @Test func aToolCallAnswerIsAnAssistantMessageWithToolCalls() {
        runner.outcome = .succeeded(text: #"{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}]}"#, report: ClaudeReport())
        let handled = chat(#"{"model":"m","messages":[{"role":"user","content":"Weather?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}"#)
        #expect(handled.response.status == 200)
        #expect(String(decoding: handled.response.body, as: UTF8.self).contains(
            #""choices":[{"finish_reason":"tool_calls","index":0,"message":{"content":null,"role":"assistant","tool_calls":[{"function":{"arguments":"{\"city\":\"Paris\"}","name":"get_weather"},"id":"call_fixedid","type":"function"}]}}]"#))
    }

    @Test func toolChoiceNoneIsAPlainRun() {
        _ = chat(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":"none","tools":[{"type":"function","function":{"name":"f"}}]}"#)
        #expect(runner.invocations.count == 1)
        #expect(runner.invocations.first?.jsonSchema == nil)
    }

    @Test func theCLIsRefusalOfASchemaIsABadRequest() {
        runner.outcome = .refused(message: "Error: --json-schema is not a valid JSON Schema: data/properties/x/type must be equal to one of the allowed values", report: nil)
        let handled = chat(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}"#)
        #expect(handled.response.status == 400)
        #expect(jsonObject(handled.response.body)["error"] == .string(
            "the output schema was refused by claude: --json-schema is not a valid JSON Schema: data/properties/x/type must be equal to one of the allowed values"))
    }

    @Test func otherRefusalsAndFailuresNamingTheSchemaAreTheRunsNotTheClients() {
        // A refused agent, or a CLI that does not know the option, is the operator's mistake; a run that
        // failed after it started is a failed run.
        for outcome: ClaudeOutcome in [.refused(message: "--agent 'x' not found. Available agents: claude", report: nil),
                                       .refused(message: "error: unknown option '--json-schema'", report: nil),
                                       .failed(detail: "Error: --json-schema is not a valid JSON Schema", report: nil)] {
            runner.outcome = outcome
            let handled = chat(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}"#)
            #expect(handled.response.status == 503)
            #expect(jsonObject(handled.response.body)["error"] == .string("execution failed"))
            #expect(jsonObject(handled.response.body)["detail"] == .string(outcome.failureDetail ?? ""))
        }
        runner.outcome = .refused(message: "Error: --json-schema is not valid JSON", report: nil)
        #expect(chat(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#).response.status == 503, "no schema was given")
    }

    @Test func aBadSchemaIsRefusedWithoutARun() {
        let handled = chat(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"a":{"type":"int"}}}}}}"#)
        #expect(handled.response.status == 400)
        #expect(runner.invocations.isEmpty)
    }

    @Test func modelMappedToNoAgentRunsPlainClaude() {
        _ = chat(#"{"model":"plain","messages":[{"role":"user","content":"x"}]}"#)
        #expect(runner.invocations.first?.agent == nil)
    }

    @Test func authIsCheckedBeforeTheBody() {
        let handled = chat("not json", authorization: "Bearer nope")
        #expect(handled.response.status == 401)
        #expect(handled.response.header("WWW-Authenticate") == "Bearer")
        #expect(runner.invocations.isEmpty)
        #expect(chat(good, authorization: nil).response.status == 401)
    }

    @Test func busyGives503WithRetryAfterAndNoRun() {
        lock.isHeldElsewhere = true
        let handled = chat(good)
        #expect(handled.response.status == 503)
        #expect(handled.response.header("Retry-After") == "7")
        #expect(handled.response.header("x-should-retry") == nil)
        #expect(json(handled.response) == ["error": .string("execution failed"), "detail": .string("busy: another run is in progress")])
        #expect(handled.run.outcome == .busy)
        #expect(runner.invocations.isEmpty)
    }

    @Test func failedRunGives503ThatMustNotBeRetried() {
        runner.outcome = .failed(detail: "claude exited with code 42: boom", report: nil)
        let handled = chat(good)
        #expect(handled.response.status == 503)
        #expect(handled.response.header("x-should-retry") == "false")
        #expect(json(handled.response) == ["error": .string("execution failed"), "detail": .string("claude exited with code 42: boom")])
        #expect(handled.run.outcome == .ran(.failed))
        #expect(lock.releases == 1)
    }

    @Test func timeoutGives503WithTheDetail() {
        runner.outcome = .timedOut(detail: "timed out after 900 s", report: nil)
        let handled = chat(good)
        #expect(handled.response.status == 503)
        #expect(json(handled.response)["detail"] == .string("timed out after 900 s"))
        #expect(handled.run.outcome == .ran(.timedOut))
    }

    @Test func streamingIsRefused() {
        let handled = chat(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}"#)
        #expect(handled.response.status == 400)
        #expect(json(handled.response) == ["error": .string("streaming not supported")])
    }


    @Test func theRunIsPlannedFromTheSettingsAndWatchesTheClientConnection() {
        var headers = ["Authorization": "Bearer tok", "Content-Type": "application/json"]
        headers["X-Ignored"] = "1"
        _ = service.handle(HTTPRequest(method: "POST", path: "/v1/chat/completions", headers: headers, body: Array(good.utf8),
                                       connectionDescriptor: 9))
        #expect(runner.plans.map(\.kind) == [.chat])
        #expect(runner.plans.first?.claude == testRunSettings.claude)
        #expect(runner.plans.first?.stateDirectory == testRunSettings.stateDirectory)
        #expect(runner.cancelDescriptors == [9])
    }

    @Test func aCancelledRunIsAFailureNobodyReads() {
        runner.outcome = .cancelled(report: nil)
        let handled = chat(good)
        #expect(handled.response.status == 503)
        #expect(handled.run.outcome == .ran(.cancelled))
    }

    @Test func aBadBodyIsRefusedUnderTheLockWithoutARun() {
        let handled = chat(#"{"model":"m","messages":[]}"#)
        #expect(handled.response.status == 400)
        #expect(runner.plans.isEmpty)
        #expect(lock.releases == lock.acquisitions)
    }
}
