import Testing
@testable import Core

@Suite struct ServiceTests {
    let lock = FakeRunLock()
    let runner = FakeRunner(outcome: .succeeded(text: "ok", report: ClaudeReport()))

    func service(lock: any RunLock, withJobs: Bool = true) -> Service {
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs(), retryAfterSeconds: 7)
        let store = MemoryJobStore()
        return Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 1000),
            chat: ChatEndpoint(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil), runner: runner),
            execute: withJobs ? ExecuteEndpoint(gate: gate, run: testRunSettings, settings: JobSettings(
                caps: JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900), defaultAgent: nil), store: store,
                runner: FakeJobRunner(store: store)) : nil)
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
