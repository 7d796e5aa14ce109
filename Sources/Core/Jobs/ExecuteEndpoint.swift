/// `POST /execute`, `GET /execute`, `GET /execute/<id>`, `DELETE /execute/<id>`: jobs that run detached
/// from their request and are polled.
public struct ExecuteEndpoint: Sendable {
    /// The route of the job collection.
    public static let collectionPattern = "/execute"
    /// The route of one job.
    public static let jobPattern = collectionPattern + "/{id}"

    /// A job's path.
    static func path(of id: String) -> String { jobPattern.replacing("{id}", with: id) }

    let gate: RunGate
    let run: RunSettings
    let settings: JobSettings
    let store: any JobStore
    let runner: any JobRunning

    public init(gate: RunGate, run: RunSettings, settings: JobSettings, store: any JobStore, runner: any JobRunning) {
        self.gate = gate
        self.run = run
        self.settings = settings
        self.store = store
        self.runner = runner
    }

    /// Submits a job: 202 once the lock is held for it and its record is written; 409 when busy; 503
    /// when the state directory cannot take the record.
    func submit(_ request: HTTPRequest, note: inout RunNote) throws -> HTTPResponse {
        let caller = try Self.permitted(request.caller)
        let execute = try ExecuteRequestDecoder.decode(request.body, caps: settings.caps)
        let id = JobID.make(milliseconds: gate.clock.millisecondsSinceEpoch(), random: String(gate.ids.next().prefix(8)))
        let agent = execute.agent ?? settings.defaultAgent
        guard caller.limits.allows(model: agent ?? "", agent: agent) else {
            throw APIError.forbidden("the key of caller '\(caller.name)' may not use agent '\(agent ?? "")'")
        }
        var plan = run.plan(
            ClaudeInvocation(requestID: id, prompt: execute.prompt, agent: agent),
            kind: .job(JobRecord(id: id, agent: agent, created: gate.clock.rfc3339(), caller: caller.name)),
            timeoutSeconds: execute.timeoutSeconds, maxBudgetUSD: execute.maxBudgetUSD, caller: caller.name)
        let busy = APIError.jobBusy(retryAfterSeconds: gate.retryAfterSeconds)
        if gate.queue.isOn { try gate.admission.precheck(caller) }
        guard case .acquired(let held) = try gate.acquire(caller: caller.name, connection: request.connectionDescriptor, onWait: { true }) else {
            throw busy
        }
        defer { held.release() }
        try gate.admission.admit(&plan, for: caller)
        let record: JobRecord
        do {
            record = try runner.start(plan, lock: held)
        } catch {
            plan.spend?.release(now: gate.clock.now())  // nothing ran
            throw error
        }
        note.outcome = .jobStarted
        note.requestID = record.job_id
        store.prune(nowMilliseconds: gate.clock.millisecondsSinceEpoch(), maxAgeSeconds: settings.maxAgeSeconds, maxCount: settings.maxCount,
                    isRunning: { seen($0).status == .running })
        return .json(status: 202, body: JSONBody.encode(record.publicView()), extraHeaders: [("Location", Self.path(of: record.job_id))])
    }

    /// The caller, when its key lets it use `/execute`; 403 otherwise.
    static func permitted(_ caller: Caller) throws(APIError) -> Caller {
        guard caller.limits.mayExecute else { throw .forbidden("the key of caller '\(caller.name)' may not use /execute") }
        return caller
    }

    /// The job as it stands (a lost runner reads as such); 404 when there is none or it is another
    /// caller's (an admin sees every one), 500 naming it when its record cannot be read.
    func job(_ id: String, for caller: Caller) throws -> JobRecord {
        guard let record = try store.read(id), caller.mayAccess(ownedBy: record.caller) else { throw APIError.notFound(path: Self.path(of: id)) }
        return seen(record)
    }

    /// The record as it stands: a running job whose runner is gone reads as failed, `runner lost`.
    /// Nothing is written here: ``JobReaper`` records it where the runner is found gone.
    func seen(_ record: JobRecord) -> JobRecord {
        record.asSeen(isAlive: runner.isAlive)
    }

    /// Job records kept, by status word (every status named, 0 when none), as reading each would show it.
    public func countsByStatus() -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: JobRecord.Status.allCases.map { ($0.word, 0) })
        for record in store.list(limit: settings.maxCount, before: nil) {
            counts[seen(record).status.word, default: 0] += 1
        }
        return counts
    }

    func show(_ id: String, for caller: Caller) throws -> HTTPResponse {
        .json(status: 200, body: JSONBody.encode(try job(id, for: try Self.permitted(caller)).publicView()))
    }

    /// The caller's newest jobs first (every caller's for an admin), without results: `?limit=N`
    /// (default 20, at most 100) and `?before=<job id>` for the next page.
    func list(_ request: HTTPRequest) throws -> HTTPResponse {
        let caller = try Self.permitted(request.caller)
        var limit = 20
        var before: String?
        for pair in request.query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count == 2 ? String(parts[1]) : ""
            switch parts[0] {
            case "limit":
                guard let number = Int(value), (1...100).contains(number) else {
                    throw APIError.invalidRequest("limit must be a whole number from 1 to 100")
                }
                limit = number
            case "before":
                guard JobID.isValid(value) else { throw APIError.invalidRequest("before must be a job id") }
                before = value
            default:
                throw APIError.invalidRequest("unknown query parameter '\(OneLine.clean(String(parts[0]), limit: 64))'")
            }
        }
        let page = store.list(limit: limit + 1, before: before) { caller.mayAccess(ownedBy: $0.caller) }
        let jobs = page.prefix(limit).map { seen($0).publicView(includingResult: false) }
        let listing = JobListing(jobs: jobs, next_before: page.count > limit ? jobs.last?.job_id : nil)
        return .json(status: 200, body: JSONBody.encode(listing))
    }

    /// Cancels a running job: its supervisor stops the run (TERM, grace, KILL) and records `cancelled`.
    func cancel(_ id: String, for caller: Caller) throws -> HTTPResponse {
        let record = try job(id, for: try Self.permitted(caller))
        guard record.status == .running, let runnerProcess = record.runner else {
            throw APIError.jobFinished(status: record.status.word)
        }
        _ = runner.stop(runnerProcess)
        let deadline = Monotonic.now() + settings.cancelWaitSeconds
        var current = record
        while Monotonic.now() < deadline {
            current = try job(id, for: caller)
            if current.status.isFinished { break }
            Monotonic.sleep(0.05)
        }
        return .json(status: current.status.isFinished ? 200 : 202, body: JSONBody.encode(current.publicView()))
    }
}
