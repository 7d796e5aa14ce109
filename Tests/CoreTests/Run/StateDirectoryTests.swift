import Glibc
import Testing
@testable import Core

/// A state directory that cannot take a run's files: the check before a run, and the 503 that every
/// state file that cannot be written becomes.
@Suite struct StateDirectoryTests {
    let directory: String = {
        let path = "/tmp/claude-fcgi-statedir-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        mkdir(path, 0o700)
        return path
    }()

    func cleanUp() {
        for name in FileBytes.names(inDirectory: directory) { unlink("\(directory)/\(name)") }
        rmdir(directory)
    }

    @Test func aWritableDirectoryPasses() throws {
        defer { cleanUp() }
        try StateDirectory.checkWritable(directory)
    }

    @Test func readOnlyFullOrMissingIsUnwritableNamingTheDirectoryAndTheError() {
        defer { cleanUp() }
        #expect(throws: APIError.stateUnwritable(detail: "cannot write /s: Read-only file system")) {
            try StateDirectory.check("/s", readOnly: true, freeBytes: 1 << 30)
        }
        #expect(throws: APIError.stateUnwritable(detail: "cannot write /s: No space left on device (12 KiB free, 1024 KiB kept in reserve)")) {
            try StateDirectory.check("/s", readOnly: false, freeBytes: 12 << 10)
        }
        #expect(throws: Never.self) { try StateDirectory.check("/s", readOnly: false, freeBytes: StateDirectory.reserveBytes) }
        #expect(throws: APIError.stateUnwritable(detail: "cannot write \(directory)/gone: No such file or directory")) {
            try StateDirectory.checkWritable(directory + "/gone")
        }
    }

    @Test func aJobRecordThatCannotBeWrittenIsUnwritableAndTheOldOneStaysWhole() throws {
        defer { cleanUp() }
        let store = FileJobStore(directory: directory)
        let record = JobRecord(id: JobID.make(milliseconds: 1_700_000_000_000, random: "abcdefgh"), agent: "a", created: "t")
        try store.write(record)
        chmod(directory, 0o500)  // root writes anyway: then only the message is checked below
        defer { chmod(directory, 0o700) }
        var changed = record
        changed.status = .ended(.succeeded)
        if getuid() != 0 {
            let error = #expect(throws: JobStoreError.self) { try store.write(changed) }
            #expect(error?.isUnwritable == true)
            #expect(error?.description == "cannot write job record \(directory)/\(record.job_id).json: Permission denied")
            #expect(try store.read(record.job_id) == record)
        }
        let nowhere = FileJobStore(directory: directory + "/gone")
        let error = #expect(throws: JobStoreError.self) { try nowhere.write(record) }
        #expect(error?.apiError == .stateUnwritable(detail: "cannot write job record \(directory)/gone/\(record.job_id).json: No such file or directory"))
    }

    @Test func aStoredResponseThatCannotBeWrittenIsUnwritable() {
        defer { cleanUp() }
        let store = FileResponseStore(directory: directory + "/file/responses", sessions: nil,
                                      settings: ResponseStoreSettings(maxAgeSeconds: 60, maxBytes: 1 << 20))
        close(open(directory + "/file", O_WRONLY | O_CREAT, 0o600))  // a file where the directory would be
        let response = StoredResponse(id: "resp_x", created_at: 0, session_id: "s", calls: [], response: "{}")
        let error = #expect(throws: ResponseStoreError.self) { try store.write(response) }
        #expect(error?.apiError.status == 503)
        #expect(error?.description.hasPrefix("cannot write stored response \(directory)/file/responses/resp_x.json: ") == true)
    }

    @Test func aLockFileThatCannotBeOpenedIsUnwritableNotAnInternalError() {
        defer { cleanUp() }
        let error = #expect(throws: RunLockError.self) { try FileRunLock(path: directory + "/gone/run.lock").tryAcquire() }
        #expect(error?.apiError == .stateUnwritable(detail: "cannot open lock file \(directory)/gone/run.lock: No such file or directory"))
    }

    @Test func noRunStartsWhenTheStateDirectoryCannotTakeItsFiles() {
        defer { cleanUp() }
        var run = testRunSettings
        run.stateDirectory = directory + "/gone"
        let lock = FakeRunLock()
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs())
        let chatRunner = FakeRunner(outcome: .succeeded(text: "x", report: ClaudeReport()))
        let jobs = FakeJobRunner(store: MemoryJobStore())
        let service = Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 1000),
            chat: ChatEndpoint(gate: gate, run: run, agentMap: AgentMap(fallback: nil), runner: chatRunner),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0),
            execute: ExecuteEndpoint(gate: gate, run: run, settings: JobSettings(caps: JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900), defaultAgent: "a"),
                                     store: MemoryJobStore(), runner: jobs))
        let headers = ["Authorization": "Bearer tok", "Content-Type": "application/json"]
        let detail = #"cannot write \#(directory)/gone: No such file or directory"#
        for (path, body) in [("/v1/chat/completions", #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#), ("/execute", #"{"prompt":"x"}"#)] {
            let handled = service.handle(HTTPRequest(method: "POST", path: path, query: "", headers: headers, body: Array(body.utf8)))
            #expect(handled.response.status == 503, "\(path)")
            #expect(String(decoding: handled.response.body, as: UTF8.self).contains(detail), "\(path)")
        }
        #expect(chatRunner.plans.isEmpty)
        #expect(jobs.plans.isEmpty)
        #expect(lock.releases == 2, "the lock goes back")
    }
}
