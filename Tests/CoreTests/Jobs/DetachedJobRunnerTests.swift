import Glibc
import Testing
@testable import Core

/// The job runner with the supervisor it forks for each job, running a stand-in claude.
@Suite(.serialized) struct DetachedJobRunnerTests {
    let scratch = ScratchDirectory("jobs")
    let store: FileJobStore

    init() {
        mkdir(scratch.path + "/jobs", 0o700)
        store = FileJobStore(directory: scratch.path + "/jobs")
    }

    func jobPlan(_ claudeScript: String, id: String = JobID.make(milliseconds: 1_700_000_000_000, random: "abcdefgh")) -> RunPlan {
        var plan = scratchPlan(scratch, executable: scratch.script("claude", claudeScript))
        plan.invocation.requestID = id
        plan.kind = .job(JobRecord(id: id, agent: nil, created: "2023-11-14T22:13:20Z"))
        return plan
    }

    /// The job's record once it is finished, waiting up to `seconds`.
    func finished(_ id: String, within seconds: Double = 15) -> JobRecord? {
        let deadline = Monotonic.now() + seconds
        while Monotonic.now() < deadline {
            if let record = try? store.read(id), record.status.isFinished { return record }
            Monotonic.sleep(0.05)
        }
        return nil
    }

    func reap(_ pid: pid_t) {
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    func lock() throws -> any HeldRunLock {
        try #require(try FileRunLock(path: scratch.path + "/run.lock").tryAcquire())
    }

    @Test func aJobIsRecordedWithItsRunnerAndRunsToItsEnd() throws {
        defer { scratch.remove() }
        let plan = jobPlan(standInClaude(answer: "job-done"))
        let held = try lock()
        let record = try DetachedJobRunner(store: store, log: { _ in }).start(plan, lock: held)
        held.release()
        let runner = try #require(record.runner, "the record names its supervisor")
        defer { reap(runner.pid) }
        #expect(record.job_id == plan.invocation.requestID)
        let done = try #require(finished(record.job_id))
        #expect(done.status == .ended(.succeeded))
        #expect(done.result == "job-done")
        #expect(done.runner == runner)
    }

    @Test func aStoppedJobEndsCancelledAndItsRunnerIsGone() throws {
        defer { scratch.remove() }
        let runner = DetachedJobRunner(store: store, log: { _ in })
        let held = try lock()
        let record = try runner.start(jobPlan("exec sleep 30"), lock: held)
        held.release()
        let supervisor = try #require(record.runner)
        #expect(runner.isAlive(supervisor))
        #expect(runner.stop(supervisor))
        let done = try #require(finished(record.job_id))
        #expect(done.status == .ended(.cancelled))
        reap(supervisor.pid)
        #expect(!runner.isAlive(supervisor))
        #expect(!runner.stop(supervisor), "a runner that is gone is not signalled")
        #expect(try FileRunLock(path: scratch.path + "/run.lock").tryAcquire() != nil, "the lock went with the job's supervisor")
    }

    @Test func aRunnerWithAnotherStartTimeIsNotAlive() {
        defer { scratch.remove() }
        let runner = DetachedJobRunner(store: store, log: { _ in })
        let me = JobRecord.Runner(pid: getpid(), start_ticks: ProcessTable.startTicks(getpid()) ?? 0)
        #expect(runner.isAlive(me))
        #expect(!runner.isAlive(JobRecord.Runner(pid: getpid(), start_ticks: me.start_ticks + 1)), "the pid was reused")
    }

    @Test func aChatPlanOrAStoreThatCannotBeWrittenStartsNothing() throws {
        defer { scratch.remove() }
        let held = try lock()
        defer { held.release() }
        var chat = jobPlan("exit 0")
        chat.kind = .chat
        #expect(throws: JobStartError("not a job")) { try DetachedJobRunner(store: store).start(chat, lock: held) }
        let nowhere = FileJobStore(directory: scratch.path + "/missing")
        let plan = jobPlan("exit 0")
        let error = #expect(throws: JobStartError.self) { try DetachedJobRunner(store: nowhere, log: { _ in }).start(plan, lock: held) }
        #expect(error?.apiError == .stateUnwritable(
            detail: "cannot write job record \(scratch.path)/missing/\(plan.invocation.requestID).json: No such file or directory"),
            "the supervisor says why it could not record the job")
    }
}
