import Testing
@testable import Core

@Suite struct ExecuteEndpointTests {
    let lock = FakeRunLock()
    let store = MemoryJobStore()
    let runner: FakeJobRunner
    let service: Service
    let token = ["Authorization": "Bearer tok", "Content-Type": "application/json"]
    let id = "job_1700000000000_abcdefgh"

    init() {
        runner = FakeJobRunner(store: store)
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs(id: "abcdefghXYZ"), retryAfterSeconds: 7)
        service = Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 1000),
            chat: ChatEndpoint(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil),
                               runner: FakeRunner(outcome: .cancelled(report: nil))),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0),
            execute: ExecuteEndpoint(
                gate: gate, run: testRunSettings,
                settings: JobSettings(caps: JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900), defaultAgent: "recruiter-triage",
                                      cancelWaitSeconds: 0.2),
                store: store, runner: runner))
    }

    func send(_ method: String, _ path: String, query: String = "", body: String = "") -> HandledRequest {
        service.handle(HTTPRequest(method: method, path: path, query: query, headers: token, body: Array(body.utf8)))
    }

    @Test func aSubmittedJobIsPlannedLikeAChatRunWithItsOwnLimits() throws {
        let handled = send("POST", "/execute", body: #"{"prompt":"Triage","max_budget_usd":1.5,"timeout_s":60}"#)
        #expect(handled.response.status == 202)
        #expect(handled.response.header("Location") == "/execute/\(id)")
        #expect(handled.run == RunNote(outcome: .jobStarted, requestID: id, caller: "default"))
        let plan = try #require(runner.plans.first)
        #expect(plan.invocation == ClaudeInvocation(requestID: id, model: "", prompt: "Triage", agent: "recruiter-triage"))
        #expect(plan.claude.maxBudgetUSD == "1.5")
        #expect(plan.claude.timeoutSeconds == 60)
        #expect(plan.claude.executable == testRunSettings.claude.executable)
        #expect(plan.kind == .job(JobRecord(id: id, agent: "recruiter-triage", created: "2023-11-14T22:13:20Z", caller: "default")))
        #expect(plan.caller == "default")
        let body = jsonObject(handled.response.body)
        #expect(body["job_id"] == .string(id))
        #expect(body["status"] == .string("running"))
        #expect(body["runner"] == nil, "the runner is not for clients")
        #expect(lock.acquisitions == 1 && lock.releases == 1)
        #expect(store.prunes == 1)
    }

    @Test func busyIs409WithRetryAfterAndStartsNothing() {
        lock.isHeldElsewhere = true
        let handled = send("POST", "/execute", body: #"{"prompt":"x"}"#)
        #expect(handled.response.status == 409)
        #expect(handled.response.header("Retry-After") == "7")
        #expect(handled.run.outcome == .busy)
        #expect(runner.plans.isEmpty)
    }

    @Test func aJobThatCannotStartIsOurFailure() {
        runner.failure = JobStartError("the job could not be started: cannot fork a run supervisor: Resource temporarily unavailable")
        let handled = send("POST", "/execute", body: #"{"prompt":"x"}"#)
        #expect(handled.response.status == 500)
        #expect(lock.releases == 1)
    }

    @Test func showsALostRunnerWithoutWritingIt() throws {
        _ = send("POST", "/execute", body: #"{"prompt":"x"}"#)
        #expect(jsonObject(send("GET", "/execute/\(id)").response.body)["status"] == .string("running"))
        runner.alive = false
        let writes = store.writes.count
        let lost = jsonObject(send("GET", "/execute/\(id)").response.body)
        #expect(lost["status"] == .string("failed"))
        #expect(lost["detail"] == .string("runner lost"))
        let listed = jsonObject(send("GET", "/execute").response.body)["jobs"]
        #expect(listed == .array([.object(["job_id": .string(id), "status": .string("failed"), "agent": .string("recruiter-triage"),
                                           "created": .string("2023-11-14T22:13:20Z"), "started": .string("2023-11-14T22:13:20Z"),
                                           "detail": .string("runner lost"), "caller": .string("default")])]))
        #expect(store.writes.count == writes && store.records[id]?.status == .running)
        #expect(send("GET", "/execute/job_1700000000001_unknown0").response.status == 404)
    }

    @Test func theReaperRecordsALostRunnerOnce() {
        _ = send("POST", "/execute", body: #"{"prompt":"x"}"#)
        let reaper = JobReaper(store: store, clock: FixedClock(), maxCount: 100)
        reaper.collected(4242, status: 0)
        #expect(store.records[id]?.status == .running, "a supervisor that exits 0 has recorded its end")
        #expect(!reaper.runnerEnded(4241))
        #expect(reaper.runnerEnded(4242))
        #expect(store.records[id]?.status == .ended(.failed) && store.records[id]?.detail == "runner lost")
        #expect(store.records[id]?.finished == "2023-11-14T22:13:20Z")
        #expect(!reaper.runnerEnded(4242))
    }

    @Test func aSupervisorKilledBySignalIsRecordedLostWhereverItIsCollected() {
        _ = send("POST", "/execute", body: #"{"prompt":"x"}"#)
        JobReaper(store: store, clock: FixedClock(), maxCount: 100).collected(4242, status: 9)
        #expect(store.records[id]?.detail == "runner lost")
    }

    @Test func aCorruptRecordIsA500NamingTheJob() {
        _ = send("POST", "/execute", body: #"{"prompt":"x"}"#)
        store.corrupt = [id]
        let shown = send("GET", "/execute/\(id)").response
        #expect(shown.status == 500)
        #expect(jsonObject(shown.body)["detail"] == .string("job \(id): its record cannot be read: not JSON"))
        #expect(send("DELETE", "/execute/\(id)").response.status == 500)
    }

    @Test func cancelStopsTheRunnerAndAnswersWithTheEnd() {
        _ = send("POST", "/execute", body: #"{"prompt":"x"}"#)
        runner.onStop = { $0.finish(.cancelled(report: nil), at: "2023-11-14T22:13:21Z") }
        let handled = send("DELETE", "/execute/\(id)")
        #expect(handled.response.status == 200)
        #expect(jsonObject(handled.response.body)["status"] == .string("cancelled"))
        #expect(runner.stops.count == 1)
        let again = send("DELETE", "/execute/\(id)")
        #expect(again.response.status == 409)
        #expect(jsonObject(again.response.body) == ["error": .string("job already finished"), "detail": .string("status: cancelled")])
    }

    @Test func aCancelTheRunnerDoesNotRecordInTimeIs202() {
        _ = send("POST", "/execute", body: #"{"prompt":"x"}"#)
        let handled = send("DELETE", "/execute/\(id)")
        #expect(handled.response.status == 202)
        #expect(jsonObject(handled.response.body)["status"] == .string("running"))
    }

    @Test func listsNewestFirstInPagesWithoutResults() throws {
        for (index, millis) in ["1700000000001", "1700000000002", "1700000000003"].enumerated() {
            var record = JobRecord(id: "job_\(millis)_abcdefg\(index)", agent: nil, created: "t")
            record.finish(.succeeded(text: "secret result", report: ClaudeReport()), at: "t")
            try store.write(record)
        }
        let first = jsonObject(send("GET", "/execute", query: "limit=2").response.body)
        guard case .array(let jobs)? = first["jobs"] else { Issue.record("no jobs"); return }
        #expect(jobs.count == 2)
        guard case .object(let newest) = jobs[0] else { return }
        #expect(newest["job_id"] == .string("job_1700000000003_abcdefg2"))
        #expect(newest["result"] == nil)
        #expect(first["next_before"] == .string("job_1700000000002_abcdefg1"))
        let second = jsonObject(send("GET", "/execute", query: "limit=2&before=job_1700000000002_abcdefg1").response.body)
        #expect(second["next_before"] == nil)
    }

    @Test(arguments: [
        ("limit=0", "limit must be a whole number from 1 to 100"), ("limit=101", "limit must be a whole number from 1 to 100"),
        ("before=x", "before must be a job id"), ("page=2", "unknown query parameter 'page'"),
    ])
    func badListingQueriesAre400(query: String, message: String) {
        let response = send("GET", "/execute", query: query).response
        #expect(response.status == 400)
        #expect(jsonObject(response.body)["error"] == .string(message))
    }
}
