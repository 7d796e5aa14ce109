import Testing
@testable import Core

/// Callers through the whole service: a key names its caller, what the key allows is checked, each
/// caller sees only its own jobs and responses, a capped caller's run is admitted with what its cap has
/// left, and a spent cap is the fleet's 403.
@Suite struct CallersThroughServiceTests {
    let scratch = ScratchDirectory("callers")
    let lock = FakeRunLock()
    let jobs = MemoryJobStore()
    let jobRunner: FakeJobRunner
    let chatRunner = FakeRunner(outcome: .succeeded(text: "hi", report: ClaudeReport(usage: TokenUsage(), costUSD: 0.4, exitCode: 0)))
    let responses = MemoryResponseStore()
    let service: Service

    init() throws {
        jobRunner = FakeJobRunner(store: jobs)
        writeByRename("\(scratch.path)/keys.json", keysJSON(
            keyEntry("alice", key: "cfk_alice", limits: CallerLimits(dailyUSD: 1, models: ["sonnet"], mayExecute: false)),
            keyEntry("bob", key: "cfk_bob"),
            keyEntry("carol", key: "cfk_carol"),
            keyEntry("root", key: "cfk_root", limits: CallerLimits(isAdmin: true))))
        let settings = CallerSettings(keysFile: "\(scratch.path)/keys.json", spendDirectory: "\(scratch.path)/spend")
        let ledger = try FileSpendLedger(settings: settings)
        var run = testRunSettings
        run.stateDirectory = scratch.path
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: RandomIDGenerator(), admission: RunAdmission(ledger: ledger, settings: settings))
        let conversation = ConversationRunner(gate: gate, run: run, agentMap: AgentMap(fallback: "recruiter-triage"), runner: chatRunner)
        service = Service(
            auth: BearerAuth(token: "tok"), keys: KeyRing(path: settings.keysFile, log: { _ in }), body: BodyRules(maxBodyBytes: 10_000),
            chat: ChatEndpoint(conversation: conversation),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0),
            responses: ResponsesEndpoint(conversation: conversation, store: responses),
            execute: ExecuteEndpoint(gate: gate, run: run,
                                     settings: JobSettings(caps: JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900), defaultAgent: "recruiter-triage",
                                                           cancelWaitSeconds: 0.2),
                                     store: jobs, runner: jobRunner))
    }

    func send(_ method: String, _ path: String, key: String, body: String = "", busyStatus: Int? = nil) -> HandledRequest {
        var request = HTTPRequest(method: method, path: path, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                                  body: Array(body.utf8))
        request.busyStatus = busyStatus
        return service.handle(request)
    }

    func chat(_ key: String, model: String = "recruiter-triage", busyStatus: Int? = nil) -> HandledRequest {
        send("POST", "/v1/chat/completions", key: key, body: #"{"model":"\#(model)","messages":[{"role":"user","content":"Hi"}]}"#,
             busyStatus: busyStatus)
    }

    @Test func aKeyNamesItsCallerAndAnUnknownKeyIsRefused() {
        let handled = chat("cfk_bob")
        #expect(handled.response.status == 200)
        #expect(handled.run.caller == "bob")
        #expect(chatRunner.plans.last?.caller == "bob")
        #expect(chat("cfk_nobody").response.status == 401)
        #expect(chat("tok").run.caller == "default")
    }

    @Test func whatAKeyDoesNotAllowIsA403AndNothingRuns() {
        // The list names models or agents: "other-model" runs the agent recruiter-triage, in neither.
        let model = chat("cfk_alice", model: "other-model")
        #expect(model.response.status == 403)
        #expect(String(decoding: model.response.body, as: UTF8.self).contains("may not use model 'other-model'"))
        let job = send("POST", "/execute", key: "cfk_alice", body: #"{"prompt":"x"}"#)
        #expect(job.response.status == 403)
        #expect(send("GET", "/execute", key: "cfk_alice").response.status == 403)
        #expect(chatRunner.plans.isEmpty && jobRunner.plans.isEmpty)
    }

    @Test func aCappedRunGetsWhatItsCapHasLeftThenTheCapRefuses() {
        // A daily cap of $1 and a per-run budget of $2: the run may spend $1, and holds it until it is over.
        #expect(chat("cfk_alice", model: "sonnet").response.status == 200)
        let plan = chatRunner.plans.last
        #expect(plan?.claude.maxBudgetUSD == "1")
        #expect(plan?.spend?.hold.budgetUSD == 1)
        #expect(plan?.spend?.directory == "\(scratch.path)/spend")
        // Nothing settled it (no supervisor here): the hold still counts, and the cap refuses.
        let refused = chat("cfk_alice", model: "sonnet")
        #expect(refused.response.status == 429)
        #expect(refused.response.header("x-should-retry") == "false")
        #expect(String(decoding: refused.response.body, as: UTF8.self).contains("daily cap reached"))
        #expect(chatRunner.plans.count == 1)
        // An uncapped caller has no hold and the whole per-run budget.
        #expect(chat("cfk_bob").response.status == 200)
        #expect(chatRunner.plans.last?.spend == nil && chatRunner.plans.last?.claude.maxBudgetUSD == testRunSettings.claude.maxBudgetUSD)
    }

    @Test func aSpentCapInAFleetIsA403NotTheBusy429() {
        _ = chat("cfk_alice", model: "sonnet")
        let refused = chat("cfk_alice", model: "sonnet", busyStatus: 429)
        #expect(refused.response.status == 403)
        #expect(jsonObject(refused.response.body)["error"] != nil)
    }

    @Test func aCallerSeesOnlyItsOwnJobsAndAnAdminSeesAll() throws {
        let submitted = send("POST", "/execute", key: "cfk_bob", body: #"{"prompt":"x"}"#)
        #expect(submitted.response.status == 202)
        guard case .string(let id)? = jsonObject(submitted.response.body)["job_id"] else { Issue.record("no job id"); return }
        #expect(jobs.records[id]?.caller == "bob")
        #expect(send("GET", "/execute/\(id)", key: "cfk_carol").response.status == 404)
        #expect(send("DELETE", "/execute/\(id)", key: "cfk_carol").response.status == 404)
        #expect(jsonObject(send("GET", "/execute", key: "cfk_carol").response.body)["jobs"] == .array([]))
        #expect(send("GET", "/execute/\(id)", key: "cfk_bob").response.status == 200)
        #expect(send("GET", "/execute/\(id)", key: "cfk_root").response.status == 200)
        #expect(send("GET", "/execute/\(id)", key: "tok").response.status == 200)
        guard case .array(let listed)? = jsonObject(send("GET", "/execute", key: "cfk_root").response.body)["jobs"] else {
            Issue.record("no listing"); return
        }
        #expect(listed.count == 1)
    }

    @Test func aCallerSeesOnlyItsOwnStoredResponses() {
        let created = send("POST", "/v1/responses", key: "cfk_bob", body: #"{"model":"recruiter-triage","input":"Hi"}"#)
        #expect(created.response.status == 200)
        guard case .string(let id)? = jsonObject(created.response.body)["id"] else { Issue.record("no response id"); return }
        #expect(responses.records[id]?.caller == "bob")
        #expect(send("GET", "/v1/responses/\(id)", key: "cfk_carol").response.status == 404)
        #expect(send("DELETE", "/v1/responses/\(id)", key: "cfk_carol").response.status == 404)
        let continued = send("POST", "/v1/responses", key: "cfk_carol",
                             body: #"{"model":"recruiter-triage","input":"More","previous_response_id":"\#(id)"}"#)
        #expect(continued.response.status == 404)
        #expect(send("GET", "/v1/responses/\(id)", key: "cfk_bob").response.status == 200)
        #expect(send("GET", "/v1/responses/\(id)", key: "tok").response.status == 200)
    }
    @Test func aBackgroundResponseTheCapRefusesLeavesNoStoredResponse() throws {
        let settings = CallerSettings(keysFile: "\(scratch.path)/keys.json", spendDirectory: "\(scratch.path)/spend")
        var run = testRunSettings
        run.stateDirectory = scratch.path
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: RandomIDGenerator(),
                           admission: RunAdmission(ledger: try FileSpendLedger(settings: settings), settings: settings))
        let conversation = ConversationRunner(gate: gate, run: run, agentMap: AgentMap(fallback: "recruiter-triage"), runner: chatRunner)
        let store = MemoryResponseStore()
        let endpoint = ResponsesEndpoint(conversation: conversation, store: store, background: BackgroundResponses(
            conversation: conversation, store: store, jobs: jobs, runner: jobRunner,
            settings: JobSettings(caps: JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900), defaultAgent: nil, cancelWaitSeconds: 0.2)))
        let alice = Caller(name: "alice", limits: CallerLimits(dailyUSD: 1))
        _ = try FileSpendLedger(settings: settings).reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: SystemWallClock().now())  // the cap is held
        var request = HTTPRequest(method: "POST", path: "/v1/responses", headers: ["Content-Type": "application/json"],
                                  body: Array(#"{"model":"recruiter-triage","input":"Hi","background":true}"#.utf8))
        request.caller = alice
        var note = RunNote()
        #expect(throws: APIError.self) { try endpoint.create(request, note: &note, live: nil) }
        #expect(jobRunner.plans.isEmpty)
        #expect(store.records.isEmpty, "no response left in_progress for a job that never started")
    }
}
