import Glibc
import Testing
@testable import Core

@Suite struct RunSupervisorTests {
    let launcher = FakeLauncher()
    let store = MemoryJobStore()
    let stateDirectory: String
    let job = JobRecord(id: "job_1700000000000_abcdefgh", agent: "triage", created: "2023-11-14T22:13:20Z")

    init() {
        stateDirectory = "/tmp/claude-fcgi-supervisor-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        mkdir(stateDirectory, 0o700)
    }

    func plan(_ kind: RunPlan.Kind, gitSync: GitSyncMode = .off) -> RunPlan {
        var settings = testRunSettings
        settings.stateDirectory = stateDirectory
        settings.gitSync = GitSyncSettings(mode: gitSync, timeoutSeconds: 30)
        return settings.plan(ClaudeInvocation(requestID: "r1", model: "m", prompt: "hello", agent: "triage"), kind: kind)
    }

    /// Runs a supervisor over `plan`; returns its exit code, events, log lines and audit lines.
    func supervise(_ plan: RunPlan, leftovers: Int = 0) -> (code: Int32, events: [RunEvent], log: [String], audit: [JSONObject]) {
        var events: [RunEvent] = []
        var log: [String] = []
        let code = RunSupervisor(plan: plan, launcher: launcher, store: store, clock: FixedClock(),
                                 send: { events.append($0) }, log: { log.append($0) }, endLeftovers: { leftovers })
            .run(cancelOn: [77])
        let auditText = FileBytes.read(stateDirectory + "/audit.log", limit: 1 << 20) ?? []
        let audit = auditText.split(separator: UInt8(ascii: "\n")).map { jsonObject(Array($0)) }
        unlink(stateDirectory + "/audit.log")
        rmdir(stateDirectory)
        return (code, events, log, audit)
    }

    static let success = #"{"type":"result","subtype":"success","is_error":false,"result":"Hi.","total_cost_usd":0.01,"usage":{"input_tokens":5,"output_tokens":2}}"#

    @Test func aChatRunStartsClaudeAndReportsItsResult() throws {
        launcher.answer("/usr/bin/claude", FakeLauncher.exited(0, stdout: Self.success))
        let run = supervise(plan(.chat))
        #expect(run.code == 0)
        #expect(run.events == [.started, .result(text: "Hi.", report: ClaudeReport(
            usage: TokenUsage(inputTokens: 5, outputTokens: 2), costUSD: 0.01, exitCode: 0))])
        let claude = try #require(launcher.started.first)
        #expect(claude.arguments == ["-p", "--output-format", "json", "--no-session-persistence", "--agent", "triage", "--max-budget-usd", "2.00"])
        #expect(claude.stdin == Array("hello".utf8))
        #expect(claude.diesWithParent)
        #expect(launcher.cancelDescriptors == [[77]], "the supervisor's cancel signal stops claude")
        #expect(run.audit.count == 1)
        #expect(run.audit.first?["outcome"] == .string("ok"))
        #expect(run.audit.first?["request_id"] == .string("r1"))
        #expect(run.audit.first?["git_sync"] == .string("off"))
        #expect(run.audit.first?["total_cost_usd"] == .double(0.01))
    }

    @Test func aFailedRunIsTheFinalEvent() {
        launcher.answer("/usr/bin/claude", FakeLauncher.exited(3, stderr: "boom\n"))
        let run = supervise(plan(.chat))
        #expect(run.events.last == .failure(.failed, detail: "claude exited with code 3: boom", report: ClaudeReport(exitCode: 3)))
        #expect(run.audit.first?["outcome"] == .string("failed"))
    }

    @Test func leftoverProcessesAreKilledAndLogged() {
        launcher.answer("/usr/bin/claude", FakeLauncher.exited(0, stdout: Self.success))
        let run = supervise(plan(.chat), leftovers: 2)
        #expect(run.log == ["supervisor: request r1: killed 2 process(es) left behind by the run"])
    }

    @Test func aRequiredGitSyncThatFailsFailsTheRunWithoutStartingClaude() {
        launcher.answer("git", FakeLauncher.exited(0, stdout: "origin/main\n"), FakeLauncher.exited(1, stderr: "fatal: Not possible to fast-forward\n"))
        let run = supervise(plan(.chat, gitSync: .required))
        #expect(launcher.started.map(\.executable) == ["git", "git"])
        #expect(run.events.last == .failure(.failed, detail: "git sync failed: git pull exited with code 1: fatal: Not possible to fast-forward", report: nil))
        #expect(run.audit.first?["git_sync"] == .string("failed"))
        #expect(run.log.first?.contains("git sync failed") == true)
    }

    @Test func aBestEffortGitSyncThatFailsStillRuns() {
        launcher.answer("git", FakeLauncher.exited(0, stdout: "origin/main\n"), FakeLauncher.exited(1))
        launcher.answer("/usr/bin/claude", FakeLauncher.exited(0, stdout: Self.success))
        let run = supervise(plan(.chat, gitSync: .bestEffort))
        #expect(launcher.started.map(\.executable) == ["git", "git", "/usr/bin/claude"])
        #expect(run.events.last?.outcome?.kind == .succeeded)
        #expect(run.audit.first?["git_sync"] == .string("failed"))
    }

    @Test func aJobIsRecordedWithItsRunnerBeforeItRunsAndItsEndAfter() throws {
        launcher.answer("/usr/bin/claude", FakeLauncher.exited(0, stdout: Self.success))
        let run = supervise(plan(.job(job)))
        #expect(run.code == 0)
        #expect(run.events == [.started], "a job's end goes into its record, not to the worker")
        #expect(store.writes.count == 2)
        let first = try #require(store.writes.first)
        #expect(first.status == .running)
        #expect(first.runner?.pid == getpid())
        let last = try #require(store.writes.last)
        #expect(last.status == .ended(.succeeded) && last.result == "Hi." && last.finished == "2023-11-14T22:13:20Z")
        #expect(last.runner == first.runner)
    }

    @Test func aJobWhoseRecordCannotBeWrittenDoesNotRun() {
        store.failWrites = true
        let run = supervise(plan(.job(job)))
        #expect(run.code == 1)
        #expect(run.events == [.failure(.failed, detail: "cannot write job record: No space left on device", report: nil)],
                "the worker is told why, not only that the supervisor ended")
        #expect(launcher.started.isEmpty)
        #expect(run.audit.isEmpty)
    }

    @Test func aMissingClaudeIsAFailedRunNamingIt() {
        let run = supervise(plan(.chat))
        #expect(run.events.last == .failure(.failed, detail: "claude not found at /usr/bin/claude", report: nil))
    }
}
