import FoundationEssentials
@testable import Core

/// A lock whose state the test sets.
final class FakeRunLock: RunLock, @unchecked Sendable {
    var isHeldElsewhere = false
    var acquisitions = 0
    var releases = 0

    func tryAcquire() throws(RunLockError) -> (any HeldRunLock)? {
        if isHeldElsewhere { return nil }
        acquisitions += 1
        return Held(owner: self)
    }

    var isHeld: Bool { acquisitions > releases }

    final class Held: HeldRunLock {
        let owner: FakeRunLock
        init(owner: FakeRunLock) { self.owner = owner }
        var descriptor: Int32? { 3 }
        func release() { owner.releases += 1 }
    }
}

/// A lock that cannot be tried at all.
struct BrokenRunLock: RunLock {
    func tryAcquire() throws(RunLockError) -> (any HeldRunLock)? { throw RunLockError("cannot open lock file /x/run.lock: Permission denied") }
}

/// A chat runner that records plans and answers with a fixed outcome.
final class FakeRunner: ClaudeRunning, @unchecked Sendable {
    var outcome: ClaudeOutcome
    var plans: [RunPlan] = []
    var lockWasHeld: [Bool] = []
    var cancelDescriptors: [Int32?] = []
    /// Events the run reports before its outcome; a `nil` is a wait with no event.
    var events: [RunEvent?] = []
    /// Whether the watcher asked to stop the run, and after how many of `events`.
    var stoppedAfter: Int?
    let runLock: FakeRunLock?

    init(outcome: ClaudeOutcome, lock: FakeRunLock? = nil) {
        self.outcome = outcome
        self.runLock = lock
    }

    var invocations: [ClaudeInvocation] { plans.map(\.invocation) }

    func run(_ plan: RunPlan, lock: any HeldRunLock, cancelOn: Int32?, watcher: RunWatcher) -> ClaudeOutcome {
        plans.append(plan)
        if let runLock { lockWasHeld.append(runLock.isHeld) }
        cancelDescriptors.append(cancelOn)
        for (index, event) in events.enumerated() {
            let goOn = event.map(watcher.onEvent) ?? watcher.onIdle()
            if !goOn {
                stoppedAfter = index + 1
                return .cancelled(report: nil)
            }
        }
        return outcome
    }
}

/// A launcher that records what it was asked to start and answers from a script, by executable.
final class FakeLauncher: ProcessLauncher, @unchecked Sendable {
    var answers: [String: [Result<ProcessResult, SpawnError>]] = [:]
    var started: [ProcessSpec] = []
    var cancelDescriptors: [[Int32]] = []
    /// Stdout reaches an observer in pieces of this size (lines cut anywhere).
    var stdoutPieceBytes = 7

    func answer(_ executable: String, _ results: Result<ProcessResult, SpawnError>...) {
        answers[executable, default: []] += results
    }

    func run(_ spec: ProcessSpec, limits: ProcessLimits, cancelOn: [Int32],
             onStdout: ((UnsafeRawBufferPointer) -> Void)?) throws(SpawnError) -> ProcessResult {
        started.append(spec)
        cancelDescriptors.append(cancelOn)
        guard var queue = answers[spec.executable], !queue.isEmpty else { throw .notFound(spec.executable) }
        let next = queue.removeFirst()
        answers[spec.executable] = queue
        var result = try next.get()
        // As the real launcher does: stdout goes to the observer, in pieces, instead of into the result.
        if let onStdout {
            var rest = result.stdout[...]
            while !rest.isEmpty {
                let piece = Array(rest.prefix(stdoutPieceBytes))
                piece.withUnsafeBytes { onStdout($0) }
                rest = rest.dropFirst(piece.count)
            }
            result.stdout = []
        }
        return result
    }

    static func exited(_ code: Int32, stdout: String = "", stderr: String = "") -> Result<ProcessResult, SpawnError> {
        .success(ProcessResult(termination: .exited(code), stdout: Array(stdout.utf8), stderr: Array(stderr.utf8)))
    }
}

/// Job records in memory.
final class MemoryJobStore: JobStore, @unchecked Sendable {
    var records: [String: JobRecord] = [:]
    var writes: [JobRecord] = []
    var failWrites = false
    var prunes = 0
    /// Ids whose records are there but cannot be read.
    var corrupt: Set<String> = []

    func read(_ id: String) throws(JobStoreError) -> JobRecord? {
        if corrupt.contains(id) { throw JobStoreError("job \(id): its record cannot be read: not JSON") }
        return records[id]
    }

    func write(_ record: JobRecord) throws(JobStoreError) {
        if failWrites { throw JobStoreError("cannot write job record: No space left on device") }
        records[record.job_id] = record
        writes.append(record)
    }

    func list(limit: Int, before: String?, matching: (JobRecord) -> Bool) -> [JobRecord] {
        Array(records.keys.sorted(by: >).filter { id in before.map { id < $0 } ?? true }.compactMap { records[$0] }.filter(matching).prefix(limit))
    }

    func prune(nowMilliseconds: Int64, maxAgeSeconds: Int64, maxCount: Int, isRunning: (JobRecord) -> Bool) { prunes += 1 }
}

/// A job runner that writes the record into a store as a supervisor would, and whose runners the test
/// kills or keeps alive.
final class FakeJobRunner: JobRunning, @unchecked Sendable {
    let store: MemoryJobStore
    var plans: [RunPlan] = []
    var alive = true
    var stops: [JobRecord.Runner] = []
    /// What a stop does to the record (a supervisor writing its end), if anything.
    var onStop: ((inout JobRecord) -> Void)?
    var failure: JobStartError?

    init(store: MemoryJobStore) { self.store = store }

    func start(_ plan: RunPlan, lock: any HeldRunLock) throws(JobStartError) -> JobRecord {
        plans.append(plan)
        if let failure { throw failure }
        guard case .job(var record) = plan.kind else { throw JobStartError("not a job") }
        record.runner = JobRecord.Runner(pid: 4242, start_ticks: 7)
        try? store.write(record)
        return record
    }

    func isAlive(_ runner: JobRecord.Runner) -> Bool { alive }

    func stop(_ runner: JobRecord.Runner) -> Bool {
        stops.append(runner)
        for (id, var record) in store.records where record.runner == runner {
            onStop?(&record)
            store.records[id] = record
        }
        return true
    }
}

struct FixedClock: WallClock {
    func now() -> Date { Date(timeIntervalSince1970: 1_700_000_000) }
}

struct FixedIDs: IDGenerator {
    var id = "fixedid"
    func next() -> String { id }
}

/// Run settings for tests: nothing here is started.
let testRunSettings = RunSettings(
    claude: ClaudeSettings(executable: "/usr/bin/claude", workingDirectory: "/srv/work", maxBudgetUSD: "2.00",
                           timeoutSeconds: 900, killGraceSeconds: 5, environment: ["PATH": "/bin"]),
    gitSync: GitSyncSettings(mode: .off), stateDirectory: "/tmp")  // a writable one: a run checks it

/// The bytes of a JSON body as an object, or empty.
func jsonObject(_ body: [UInt8]) -> JSONObject {
    guard case .object(let object)? = JSONValue.parse(body) else { return [:] }
    return object
}

/// Stored responses in memory.
final class MemoryResponseStore: ResponseStore, @unchecked Sendable {
    var records: [String: StoredResponse] = [:]
    var writes: [StoredResponse] = []
    var failWrites = false

    func read(_ id: String) throws(ResponseStoreError) -> StoredResponse? { records[id] }

    func write(_ response: StoredResponse) throws(ResponseStoreError) {
        if failWrites { throw ResponseStoreError("cannot write stored response: No space left on device") }
        records[response.id] = response
        writes.append(response)
    }

    func delete(_ id: String) -> Bool { records.removeValue(forKey: id) != nil }

    /// Sessions whose transcript is gone.
    var lostSessions: Set<String> = []

    func hasSession(_ session: String) -> Bool { !lostSessions.contains(session) }

    /// Sessions deleted because no stored response points at them.
    var deletedSessions: [String] = []

    func deleteSession(_ session: String) {
        deletedSessions.append(session)
        lostSessions.insert(session)
    }
}

/// The error `body` throws, or `nil` when it throws none (any error that is no ``APIError`` as an internal failure).
func thrownError<T>(_ body: () throws -> T) -> APIError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? APIError ?? .internalFailure(detail: "not an APIError: \(error)")
    }
}
