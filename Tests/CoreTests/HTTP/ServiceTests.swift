import Testing
@testable import Core

@Suite struct ServiceTests {
    let lock = FakeRunLock()
    let runner = FakeRunner(outcome: .succeeded(text: "ok", report: ClaudeReport()))

    func service(lock: any RunLock, withJobs: Bool = true, counters: (any CounterStore)? = nil) -> Service {
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs(), retryAfterSeconds: 7)
        let store = MemoryJobStore()
        return Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 1000),
            chat: ChatEndpoint(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil), runner: runner),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(exact: ["gpt-4o": "triage"], fallback: nil, hasFallback: false)), created: 1_700_000_000),
            execute: withJobs ? ExecuteEndpoint(gate: gate, run: testRunSettings, settings: JobSettings(
                caps: JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900), defaultAgent: nil), store: store,
                runner: FakeJobRunner(store: store)) : nil,
            counters: counters)
    }

    @Test func everyRouteIsDeclaredOnceAndCountedByItsPattern() {
        let counters = MemoryCounters()
        let service = service(lock: lock, counters: counters)
        #expect(service.routes.map(\.pattern) == ["/healthz", "/v1/chat/completions", "/v1/models", "/v1/models/{id}", "/execute", "/execute/{id}"])
        #expect(Set(service.routes.map(\.pattern)).count == service.routes.count)
        let auth = ["Authorization": "Bearer tok"]
        _ = service.handle(HTTPRequest(method: "GET", path: "/v1/models/gpt-4o", headers: auth))
        _ = service.handle(HTTPRequest(method: "GET", path: "/v1/models/other", headers: auth))
        _ = service.handle(HTTPRequest(method: "GET", path: "/execute/job_1700000000000_fixedid0", headers: auth))
        _ = service.handle(HTTPRequest(method: "GET", path: "/wp-admin\"\n"))
        #expect(counters.read() == [
            #"claude_fcgi_requests_total{route="/v1/models/{id}",status="200"}"#: 1,
            #"claude_fcgi_requests_total{route="/v1/models/{id}",status="404"}"#: 1,
            #"claude_fcgi_requests_total{route="/execute/{id}",status="404"}"#: 1,
            #"claude_fcgi_requests_total{route="other",status="404"}"#: 1,
        ])
    }

    @Test func busyIsNotedCountedAndTakesTheFleetsStatus() {
        let counters = MemoryCounters()
        lock.isHeldElsewhere = true
        let service = service(lock: lock, counters: counters)
        var request = HTTPRequest(method: "POST", path: "/v1/chat/completions", headers: ["Authorization": "Bearer tok"], body: Array("{}".utf8))
        let busy = service.handle(request)
        #expect(busy.response.status == 503 && busy.run.outcome == .busy)
        request.busyStatus = 429
        let fleet = service.handle(request)
        #expect(fleet.response.status == 429 && fleet.response.header("Retry-After") == "7")
        #expect(counters.read()[#"claude_fcgi_busy_rejections_total{route="/v1/chat/completions"}"#] == 2)
    }

    @Test func inAFleetASpentCapAndARateAreNotTheBusyStatus() {
        let service = service(lock: lock)
        var request = HTTPRequest(method: "POST", path: "/v1/chat/completions", headers: ["Authorization": "Bearer tok"])
        var note = RunNote()
        let cap = APIError.overQuota(detail: "daily cap reached"), rate = APIError.rateLimited(retryAfterSeconds: 12, detail: "limit")
        #expect(service.answer(cap, to: request, in: .openAI, note: &note).status == 429)
        #expect(service.answer(rate, to: request, in: .openAI, note: &note).status == 429)
        request.busyStatus = 429
        #expect(service.answer(cap, to: request, in: .openAI, note: &note).status == 403)
        let limited = service.answer(rate, to: request, in: .openAI, note: &note)
        #expect(limited.status == 503 && limited.header("Retry-After") == "12")
        #expect(note.outcome == nil, "neither is busy")
    }

    @Test func healthzNotFoundAndMethodNotAllowed() {
        let service = service(lock: lock)
        #expect(service.handle(HTTPRequest(method: "GET", path: "/healthz")).response.body == Array(#"{"status":"ok"}"#.utf8))
        #expect(service.handle(HTTPRequest(method: "HEAD", path: "/healthz")).response.status == 200)
        let missing = service.handle(HTTPRequest(method: "GET", path: "/nope")).response
        #expect(missing.status == 404)
        #expect(jsonObject(missing.body)["error"] == .string("not found"))
        let wrongMethod = service.handle(HTTPRequest(method: "GET", path: "/v1/chat/completions")).response
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "POST")
        #expect(service.handle(HTTPRequest(method: "POST", path: "/healthz")).response.header("Allow") == "GET, HEAD")
        #expect(service.handle(HTTPRequest(method: "PUT", path: "/execute")).response.header("Allow") == "GET, POST")
        #expect(service.handle(HTTPRequest(method: "POST", path: "/execute/job_1700000000000_fixedid0")).response.header("Allow") == "GET, DELETE")
    }

    @Test func modelsAreListedAndRetrievedWithTheToken() {
        let service = service(lock: lock)
        let headers = ["Authorization": "Bearer tok"]
        let list = service.handle(HTTPRequest(method: "GET", path: "/v1/models", headers: headers)).response
        #expect(list.status == 200)
        #expect(String(decoding: list.body, as: UTF8.self)
            == #"{"data":[{"created":1700000000,"id":"gpt-4o","object":"model","owned_by":"claude-fcgi"}],"object":"list"}"#)
        let one = service.handle(HTTPRequest(method: "GET", path: "/v1/models/gpt-4o", headers: headers)).response
        #expect(jsonObject(one.body)["id"] == .string("gpt-4o"))
        let missing = service.handle(HTTPRequest(method: "GET", path: "/v1/models/nope", headers: headers)).response
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self) == #"{"detail":"no model named nope","error":"model not found"}"#)
        #expect(service.handle(HTTPRequest(method: "GET", path: "/v1/models")).response.status == 401)
        #expect(service.handle(HTTPRequest(method: "POST", path: "/v1/models", headers: headers)).response.status == 405)
    }

    @Test func theModelListNamesTheDefaultEntry() throws {
        #expect(ModelList(agentMap: AgentMap(exact: ["a": "x", "b": nil], fallback: "recruiter-triage")).ids == ["a", "b", "recruiter-triage"])
        #expect(ModelList(agentMap: AgentMap(exact: [:], fallback: nil)).ids == ["claude"])
        #expect(ModelList(agentMap: AgentMap(exact: ["claude": "x"], fallback: nil)).ids == ["claude", "default"])
        #expect(ModelList(agentMap: AgentMap(exact: ["a": "x"], fallback: nil, hasFallback: false)).ids == ["a"])
        #expect(try ModelList(agentMap: AgentMap(spec: "a=x,b=")).ids == ["a", "b"])
        #expect(try ModelList(agentMap: AgentMap(spec: "a=x,*=")).ids == ["a", "claude"])
    }

    @Test func everyRunRouteNeedsTheToken() {
        let service = service(lock: lock)
        for (method, path) in [("POST", "/v1/chat/completions"), ("GET", "/execute"), ("POST", "/execute"),
                               ("GET", "/execute/job_1700000000000_fixedid0"), ("DELETE", "/execute/job_1700000000000_fixedid0")] {
            let response = service.handle(HTTPRequest(method: method, path: path, body: Array("{".utf8))).response
            #expect(response.status == 401, "\(method) \(path)")
            #expect(response.header("WWW-Authenticate") == "Bearer")
        }
        #expect(runner.plans.isEmpty)
    }

    @Test func withoutTheJobAPIExecuteIsNotFound() {
        let service = service(lock: lock, withJobs: false)
        #expect(service.handle(HTTPRequest(method: "POST", path: "/execute", headers: ["Authorization": "Bearer tok"])).response.status == 404)
        #expect(service.handle(HTTPRequest(method: "GET", path: "/execute/job_1700000000000_fixedid0")).response.status == 404)
    }

    @Test func aJobPathThatIsNoJobIdIsNotFound() {
        let response = service(lock: lock).handle(HTTPRequest(method: "GET", path: "/execute/../../etc", headers: ["Authorization": "Bearer tok"]))
        #expect(response.response.status == 404)
    }

    @Test func aLockThatCannotBeTriedIsAnInternalErrorNotTheClients() {
        let response = service(lock: BrokenRunLock()).handle(HTTPRequest(
            method: "POST", path: "/v1/chat/completions", headers: ["Authorization": "Bearer tok"], body: Array("{}".utf8))).response
        #expect(response.status == 500)
        #expect(jsonObject(response.body) == ["error": .string("internal error"), "detail": .string("cannot open lock file /x/run.lock: Permission denied")])
        #expect(response.header("x-should-retry") == "false")
    }
}
