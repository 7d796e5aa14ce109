import Testing
@testable import Core

/// A job runner that notes what the response store held when the job was started.
final class StoreWatchingJobRunner: JobRunning, @unchecked Sendable {
    let inner: FakeJobRunner
    let store: MemoryResponseStore
    var storedAtStart: [[String: StoredResponse]] = []

    init(inner: FakeJobRunner, store: MemoryResponseStore) {
        self.inner = inner
        self.store = store
    }

    func start(_ plan: RunPlan, lock: any HeldRunLock) throws(JobStartError) -> JobRecord {
        storedAtStart.append(store.records)
        return try inner.start(plan, lock: lock)
    }

    func isAlive(_ runner: JobRecord.Runner) -> Bool { inner.isAlive(runner) }
    func stop(_ runner: JobRecord.Runner) -> Bool { inner.stop(runner) }
}

@Suite struct BackgroundResponsesTests {
    let lock = FakeRunLock()
    let store = MemoryResponseStore()
    let jobs = MemoryJobStore()
    let fakeJobs: FakeJobRunner
    let jobRunner: StoreWatchingJobRunner
    let background: BackgroundResponses
    static let jobID = "job_1700000000000_abcdefgh"
    static let responseID = "resp_job_1700000000000_abcdefgh"

    init() {
        fakeJobs = FakeJobRunner(store: jobs)
        jobRunner = StoreWatchingJobRunner(inner: fakeJobs, store: store)
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs(id: "abcdefgh12"))
        let conversation = ConversationRunner(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: "triage"),
                                              runner: FakeRunner(outcome: .cancelled(report: nil)))
        background = BackgroundResponses(conversation: conversation, store: store, jobs: jobs, runner: jobRunner,
                                         settings: JobSettings(caps: JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900), defaultAgent: nil,
                                                               cancelWaitSeconds: 0.1))
    }

    func start(_ output: OutputContract = OutputContract()) throws -> (HTTPResponse, RunNote) {
        var note = RunNote()
        let held = try #require(try lock.tryAcquire())
        let response = try background.start(RunRequest(model: "m", turns: [Turn(role: .user, text: "hi")], output: output, keepsSession: true),
                                            echo: ResponseEcho(model: "m"), caller: .tokenHolder, lock: held, note: &note)
        return (response, note)
    }

    /// The job's record, ended as `outcome`.
    func end(_ outcome: ClaudeOutcome) throws {
        var record = try #require(jobs.records[Self.jobID])
        record.finish(outcome, at: "2023-11-14T22:13:20Z")
        jobs.records[Self.jobID] = record
    }

    func current() throws -> (StoredResponse, JSONObject) {
        let record = try #require(store.records[Self.responseID])
        let now = try background.current(record)
        return (now, jsonObject(Array(now.response.utf8)))
    }

    static let tools = OutputContract(tools: [FunctionTool(name: "get"), FunctionTool(name: "ns.find")])

    @Test func startStoresTheResponseInProgressThenStartsTheJob() throws {
        let (response, note) = try start()
        #expect(response.status == 200)
        #expect(note == RunNote(outcome: .jobStarted, requestID: Self.jobID))
        let body = jsonObject(response.body)
        #expect(body["id"] == .string(Self.responseID))
        #expect(body["status"] == .string("in_progress"))
        // The record was there before the job began, so that a quick GET finds it.
        #expect(jobRunner.storedAtStart.count == 1)
        #expect(jobRunner.storedAtStart.first?[Self.responseID]?.job_id == Self.jobID)
        let record = try #require(store.records[Self.responseID])
        #expect(record.in_progress)
        #expect(record.reading == nil)
        #expect(record.response == String(decoding: response.body, as: UTF8.self))
        let plan = try #require(fakeJobs.plans.first)
        #expect(plan.invocation.requestID == Self.jobID)
        // The session the job will keep is on record from the start.
        #expect(plan.invocation.keptSession == record.session_id)
        #expect(plan.invocation.prompt == "Request:\nhi")
        guard case .job(let job) = plan.kind else {
            Issue.record("not a job: \(plan.kind)")
            return
        }
        #expect(job.job_id == Self.jobID)
    }

    @Test func aStructuredResponseRemembersHowToReadItsValue() throws {
        _ = try start(OutputContract(format: AnswerFormat.anyObject))
        #expect(store.records[Self.responseID]?.reading == "whole")
        #expect(fakeJobs.plans.first?.invocation.jsonSchema == #"{"type":"object"}"#)
    }

    @Test func aJobThatCannotStartLeavesNoResponse() throws {
        fakeJobs.failure = JobStartError("cannot fork: Resource temporarily unavailable")
        #expect(throws: JobStartError.self) { try start() }
        #expect(store.records.isEmpty)
    }

    @Test func aRunningJobLeavesTheResponseAsItIs() throws {
        _ = try start()
        let before = try #require(store.records[Self.responseID])
        let (now, object) = try current()
        #expect(now == before)
        #expect(object["status"] == .string("in_progress"))
        #expect(store.writes.count == 1)
    }

    @Test func aSucceededTextJobIsCompletedWithItsUsageAndSession() throws {
        _ = try start()
        try end(.succeeded(text: "Done.", report: ClaudeReport(usage: TokenUsage(inputTokens: 4, cacheCreationTokens: 1, cacheReadTokens: 5, outputTokens: 2),
                                                              )))
        let (now, object) = try current()
        #expect(object["status"] == .string("completed"))
        #expect(object["output"]?.compactText == #"[{"id":"msg_job_1700000000000_abcdefgh","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Done.","annotations":[],"logprobs":[]}]}]"#)
        #expect(object["usage"]?.compactText == #"{"input_tokens":10,"input_tokens_details":{"cached_tokens":5},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":12}"#)
        #expect(!now.in_progress)
        #expect(store.deletedSessions.isEmpty, "an answered response keeps its session")
        #expect(now.calls.isEmpty)
        #expect(store.records[Self.responseID] == now)
    }

    @Test func structuredReadingsGiveTheSameCallIDsOnEveryReading() throws {
        _ = try start(Self.tools)
        #expect(store.records[Self.responseID]?.reading == "tool_calls")
        try end(.succeeded(text: #"{"content":"Looking.","tool_calls":[{"name":"get","arguments":{"b":1,"a":2}},{"name":"ns.find","arguments":{}}]}"#,
                           report: ClaudeReport()))
        let record = try #require(store.records[Self.responseID])
        let first = try background.answer(try #require(jobs.records[Self.jobID]), reading: record.reading, responseID: record.id)
        let second = try background.answer(try #require(jobs.records[Self.jobID]), reading: record.reading, responseID: record.id)
        #expect(first == second)
        #expect(first.content == "Looking.")
        #expect(first.toolCalls == [
            ToolCall(id: "call_job_1700000000000_abcdefgh_1", name: "get", arguments: #"{"b":1,"a":2}"#),
            ToolCall(id: "call_job_1700000000000_abcdefgh_2", name: "ns.find", arguments: "{}"),
        ])
        let (now, object) = try current()
        #expect(now.calls == first.toolCalls)
        guard case .array(let items)? = object["output"] else {
            Issue.record("no output")
            return
        }
        #expect(items.count == 3)
        #expect(items.last.map { jsonField($0, "namespace") } == .string("ns"))
    }

    @Test(arguments: [
        (OutputContract(format: AnswerFormat.anyObject), #"{"a":1}"#, #"{"a":1}"#),
        (OutputContract(format: .json(schema: .object(["type": .string("array")]))), #"{"value":[1,2]}"#, "[1,2]"),
        (OutputContract(format: AnswerFormat.anyObject, tools: [FunctionTool(name: "f")]), #"{"content":{"a":1}}"#, #"{"a":1}"#),
    ])
    func eachReadingGivesTheContent(output: OutputContract, value: String, content: String) throws {
        _ = try start(output)
        try end(.succeeded(text: value, report: ClaudeReport()))
        let (_, object) = try current()
        #expect(object["status"] == .string("completed"))
        guard case .array(let items)? = object["output"], let first = items.first, case .array(let parts) = jsonField(first, "content") else {
            Issue.record("no message")
            return
        }
        #expect(parts.first.map { jsonField($0, "text") } == .string(content))
    }

    @Test func aValueThatCannotBeReadFailsTheResponse() throws {
        _ = try start(OutputContract(format: .json(schema: .object(["type": .string("array")]))))
        try end(.succeeded(text: "not json", report: ClaudeReport()))
        let (now, object) = try current()
        #expect(object["status"] == .string("failed"))
        #expect(object["error"].map { jsonField($0, "code") } == .string("execution_failed"))
        #expect(store.deletedSessions == [now.session_id], "a response without an answer keeps no session")
    }

    @Test(arguments: [
        (ClaudeOutcome.failed(detail: "claude exited with code 3: boom", report: nil), "failed", "execution failed: claude exited with code 3: boom"),
        (.timedOut(detail: "timed out after 900 s", report: nil), "failed", "execution failed: timed out after 900 s"),
        (.cancelled(report: nil), "cancelled", nil),
    ] as [(ClaudeOutcome, String, String?)])
    func aJobThatDidNotSucceed(outcome: ClaudeOutcome, status: String, message: String?) throws {
        _ = try start()
        try end(outcome)
        let (now, object) = try current()
        #expect(object["status"] == .string(status))
        #expect(object["error"].map { jsonField($0, "message") } == message.map { .string($0) } ?? .null)
        #expect(!now.in_progress)
        #expect(store.deletedSessions == [now.session_id], "a response without an answer keeps no session")
        #expect(object["output"] == .array([]))
    }

    @Test func aJobWhoseRunnerIsGoneFailed() throws {
        _ = try start()
        fakeJobs.alive = false
        let (_, object) = try current()
        #expect(object["status"] == .string("failed"))
        #expect(object["error"].map { jsonField($0, "message") } == .string("execution failed: " + JobRecord.runnerLostDetail))
    }

    @Test func aJobWhoseRecordIsGoneFailedAndIsNotReadAgain() throws {
        _ = try start()
        jobs.records[Self.jobID] = nil
        let (stored, object) = try current()
        #expect(object["status"] == .string("failed"))
        #expect(object["error"].map { jsonField($0, "message") } == .string("execution failed: job \(Self.jobID): its record is gone"))
        #expect(try background.current(stored) == stored)
    }

    @Test func aSecondReadingGivesTheSameWithoutWriting() throws {
        _ = try start(Self.tools)
        try end(.succeeded(text: #"{"tool_calls":[{"name":"get","arguments":{}}]}"#, report: ClaudeReport()))
        let (first, _) = try current()
        let writes = store.writes.count
        // The job's record changes no more what the response says.
        try end(.failed(detail: "x", report: nil))
        let (second, _) = try current()
        #expect(first == second)
        #expect(store.writes.count == writes)
    }

    @Test func cancelStopsARunningJobAndReadsItsEnd() throws {
        _ = try start()
        fakeJobs.onStop = { $0.finish(.cancelled(report: nil), at: "t") }
        let record = try #require(store.records[Self.responseID])
        let cancelled = try background.cancel(record)
        #expect(fakeJobs.stops == [JobRecord.Runner(pid: 4242, start_ticks: 7)])
        #expect(jsonObject(Array(cancelled.response.utf8))["status"] == .string("cancelled"))
        // Cancelling what has ended stops nothing more.
        _ = try background.cancel(cancelled)
        #expect(fakeJobs.stops.count == 1)
    }
}
