import FoundationEssentials
import Testing
@testable import Core

@Suite struct ServiceTests {
    let lock = FakeRunLock()
    let runner: FakeRunner
    let service: Service

    init() {
        runner = FakeRunner(outcome: .succeeded(text: "Paris.", report: ClaudeReport(usage: TokenUsage(promptTokens: 10, completionTokens: 2))), lock: lock)
        service = Service(
            configuration: ServiceConfiguration(token: "tok", agentMap: AgentMap(exact: ["plain": nil], fallback: "recruiter-triage"), retryAfterSeconds: 7, maxBodyBytes: 1000),
            lock: lock, runner: runner, clock: FixedClock(), ids: FixedIDs())
    }

    func chat(_ body: String, authorization: String? = "Bearer tok", contentType: String? = "application/json") -> HandledRequest {
        var headers: [String: String] = [:]
        if let authorization { headers["Authorization"] = authorization }
        if let contentType { headers["Content-Type"] = contentType }
        return service.handle(HTTPRequest(method: "POST", path: "/v1/chat/completions", headers: headers, body: Array(body.utf8)))
    }

    func json(_ response: HTTPResponse) -> [String: JSONValue] {
        guard case .object(let object)? = JSONValue.parse(response.body) else { return [:] }
        return object
    }

    let good = #"{"model":"claude-haiku-4-5","messages":[{"role":"system","content":"Be concise."},{"role":"user","content":"Capital of France?"}]}"#

    @Test func happyPathReturnsTheEnvelope() {
        let handled = chat(good)
        #expect(handled.response.status == 200)
        #expect(handled.response.header("Content-Type") == "application/json")
        #expect(handled.run == RunNote(outcome: "ok", requestID: "fixedid"))
        #expect(String(decoding: handled.response.body, as: UTF8.self) == #"{"choices":[{"finish_reason":"stop","index":0,"message":{"content":"Paris.","role":"assistant"}}],"created":1700000000,"id":"chatcmpl-fixedid","model":"claude-haiku-4-5","object":"chat.completion","usage":{"completion_tokens":2,"prompt_tokens":10,"total_tokens":12}}"#)
        #expect(runner.invocations == [ClaudeInvocation(
            requestID: "fixedid", model: "claude-haiku-4-5",
            prompt: "System instructions:\nBe concise.\n\n---\n\nRequest:\nCapital of France?", agent: "recruiter-triage")])
        #expect(runner.lockWasHeld == [true])
        #expect(lock.releases == 1)
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
        #expect(handled.runOutcome == "busy")
        #expect(runner.invocations.isEmpty)
    }

    @Test func failedRunGives503ThatMustNotBeRetried() {
        runner.outcome = .failed(detail: "claude exited with code 42: boom", report: nil)
        let handled = chat(good)
        #expect(handled.response.status == 503)
        #expect(handled.response.header("x-should-retry") == "false")
        #expect(json(handled.response) == ["error": .string("execution failed"), "detail": .string("claude exited with code 42: boom")])
        #expect(handled.runOutcome == "failed")
        #expect(lock.releases == 1)
    }

    @Test func timeoutGives503WithTheDetail() {
        runner.outcome = .timedOut(detail: "timed out after 900 s", report: nil)
        let handled = chat(good)
        #expect(handled.response.status == 503)
        #expect(json(handled.response)["detail"] == .string("timed out after 900 s"))
        #expect(handled.runOutcome == "timed_out")
    }

    @Test func streamingIsRefused() {
        let handled = chat(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}"#)
        #expect(handled.response.status == 400)
        #expect(json(handled.response) == ["error": .string("streaming not supported")])
    }

    @Test func oversizedBodyAndWrongContentTypeAreRefused() {
        #expect(chat(String(repeating: " ", count: 1001) + good).response.status == 413)
        #expect(chat(good, contentType: "text/plain").response.status == 415)
        #expect(chat(good, contentType: "application/json; charset=utf-8").response.status == 200)
        #expect(chat(good, contentType: nil).response.status == 200)
    }

    @Test func healthzNotFoundAndMethodNotAllowed() {
        #expect(service.handle(HTTPRequest(method: "GET", path: "/healthz")).response.body == Array(#"{"status":"ok"}"#.utf8))
        let missing = service.handle(HTTPRequest(method: "GET", path: "/nope")).response
        #expect(missing.status == 404)
        #expect(json(missing)["error"] == .string("not found"))
        let wrongMethod = service.handle(HTTPRequest(method: "GET", path: "/v1/chat/completions")).response
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "POST")
        #expect(service.handle(HTTPRequest(method: "POST", path: "/healthz")).response.header("Allow") == "GET, HEAD")
    }

    @Test func cgiHeadIsWellFormed() {
        let head = APIError.busy(retryAfterSeconds: 10).response.cgiHead()
        #expect(head.hasPrefix("Status: 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 10\r\n"))
        #expect(head.hasSuffix("\r\n\r\n"))
    }
}

@Suite struct CGIEntriesTests {
    @Test func fastCGIEntriesBecomeTheSameRequestAsParams() {
        let texts = [
            "REQUEST_METHOD=POST", "DOCUMENT_URI=/v1/chat/completions", "REQUEST_URI=/v1/chat/completions?x=1",
            "QUERY_STRING=x=1", "HTTP_AUTHORIZATION=Bearer tok=", "CONTENT_TYPE=application/json", "CONTENT_LENGTH=2",
            "HTTP_X_STAINLESS_RETRY_COUNT=0", "SERVER_NAME=_", "NO_EQUALS_SIGN", "CONTENT_TYPE_X=ignored",
        ]
        let buffers = texts.map { text -> [UInt8] in Array(text.utf8) }
        let request = buffers.withUnsafeBufferPointers { HTTPRequest(cgiEntries: $0, body: Array("{}".utf8)) }
        #expect(request.method == "POST")
        #expect(request.path == "/v1/chat/completions")
        #expect(request.query == "x=1")
        #expect(request.headers == ["authorization": "Bearer tok=", "content-type": "application/json", "content-length": "2",
                                    "x-stainless-retry-count": "0"])
    }

    @Test func withoutDocumentURITheRequestURIPathIsUsed() {
        let buffers = ["REQUEST_URI=/healthz?probe=1"].map { Array($0.utf8) }
        let request = buffers.withUnsafeBufferPointers { HTTPRequest(cgiEntries: $0, body: []) }
        #expect(request.path == "/healthz")
        #expect(request.method == "GET")
    }
}

extension Array where Element == [UInt8] {
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeBufferPointer<UInt8>]) -> R) -> R {
        var pointers: [UnsafeBufferPointer<UInt8>] = []
        func recurse(_ index: Int) -> R {
            if index == count { return body(pointers) }
            return self[index].withUnsafeBufferPointer { buffer in
                pointers.append(buffer)
                return recurse(index + 1)
            }
        }
        return recurse(0)
    }
}

@Suite struct RFC3339Tests {
    @Test func formatsUTCSeconds() {
        #expect(RFC3339.format(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(secondsSinceEpoch: 1_795_904_120) == "2026-11-28T22:15:20Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_700_000_000.9)) == "2023-11-14T22:13:20Z")
    }
}
