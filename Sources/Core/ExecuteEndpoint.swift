/// Settings of the `/execute` job API.
public struct JobSettings: Sendable {
    /// The supervisor options every job starts from (claude settings, state directory, git sync).
    public var template: SupervisorOptions
    /// What a job may ask for at most; also its default.
    public var caps: JobCaps
    /// The agent of a job that names none; `nil` runs plain claude.
    public var defaultAgent: String?
    public var maxAgeSeconds: Int64
    public var maxCount: Int
    /// How long a DELETE waits for the cancelled job to record its end.
    public var cancelWaitSeconds: Double

    public init(template: SupervisorOptions, caps: JobCaps, defaultAgent: String?, maxAgeSeconds: Int64 = 30 * 86_400,
                maxCount: Int = 10_000, cancelWaitSeconds: Double? = nil) {
        self.template = template
        self.caps = caps
        self.defaultAgent = defaultAgent
        self.maxAgeSeconds = maxAgeSeconds
        self.maxCount = maxCount
        self.cancelWaitSeconds = cancelWaitSeconds ?? template.settings.killGraceSeconds + 5
    }
}

/// `POST /execute`, `GET /execute`, `GET /execute/<id>`, `DELETE /execute/<id>`.
public struct ExecuteEndpoint: Sendable {
    let settings: JobSettings
    let store: any JobStore
    let runner: any JobRunning

    public init(settings: JobSettings, store: any JobStore, runner: any JobRunning) {
        self.settings = settings
        self.store = store
        self.runner = runner
    }

    /// Submits a job: 202 once the lock is held for it and its supervisor is started; 409 when busy.
    func submit(_ request: HTTPRequest, service: Service, note: inout RunNote) throws(APIError) -> HTTPResponse {
        let execute = try ExecuteRequestDecoder.decode(request.body, caps: settings.caps)
        var options = settings.template
        options.invocation = ClaudeInvocation(
            requestID: JobID.make(milliseconds: service.clock.millisecondsSinceEpoch(), random: String(service.ids.next().prefix(8))),
            model: "", prompt: execute.prompt, agent: execute.agent ?? settings.defaultAgent)
        options.settings.timeoutSeconds = execute.timeoutSeconds ?? settings.caps.timeoutSeconds
        if let budget = execute.maxBudgetUSD { options.settings.maxBudgetUSD = NumberText.short(budget) }
        options.job = SupervisorOptions.Job(id: options.invocation.requestID, promptBytes: options.invocation.prompt.utf8.count)

        guard let held = try service.lock.tryAcquire() else {
            note.outcome = "busy"
            throw .jobBusy(retryAfterSeconds: service.configuration.retryAfterSeconds)
        }
        defer { held.release() }
        let record = try runner.start(
            JobRecord(id: options.invocation.requestID, agent: options.invocation.agent, created: service.clock.rfc3339()),
            options: options, lock: held, store: store)
        note.outcome = "job_started"
        note.requestID = record.job_id
        store.prune(nowMilliseconds: service.clock.millisecondsSinceEpoch(), maxAgeSeconds: settings.maxAgeSeconds, maxCount: settings.maxCount)
        return .json(status: 202, body: JSONBody.encode(record.publicView()), extraHeaders: [("Location", "/execute/\(record.job_id)")])
    }

    /// The job, with a lost runner detected and recorded.
    func job(_ id: String, service: Service) throws(APIError) -> JobRecord {
        guard let record = store.read(id) else { throw .notFound(path: "/execute/\(id)") }
        return try checkedForLostRunner(record, service: service)
    }

    /// The record as read, or, when it says running but its runner is gone, recorded as lost.
    func checkedForLostRunner(_ record: JobRecord, service: Service) throws(APIError) -> JobRecord {
        guard record.status == .running, let runnerProcess = record.runner, !runner.isAlive(runnerProcess) else { return record }
        // The runner may have written its outcome just now.
        guard var current = store.read(record.job_id) else { return record }
        guard current.status == .running else { return current }
        current.status = .failed
        current.detail = "runner lost"
        current.finished = service.clock.rfc3339()
        try store.write(current)
        return current
    }

    func show(_ id: String, service: Service) throws(APIError) -> HTTPResponse {
        .json(status: 200, body: JSONBody.encode(try job(id, service: service).publicView()))
    }

    /// The newest jobs first, without results: `?limit=N` (default 20, at most 100) and
    /// `?before=<job id>` for the next page.
    func list(_ request: HTTPRequest, service: Service) throws(APIError) -> HTTPResponse {
        var limit = 20
        var before: String?
        for pair in request.query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count == 2 ? String(parts[1]) : ""
            switch parts[0] {
            case "limit":
                guard let number = Int(value), (1...100).contains(number) else {
                    throw .invalidRequest("limit must be a whole number from 1 to 100")
                }
                limit = number
            case "before":
                guard JobID.isValid(value) else { throw .invalidRequest("before must be a job id") }
                before = value
            default:
                throw .invalidRequest("unknown query parameter '\(OneLine.clean(String(parts[0]), limit: 64))'")
            }
        }
        let page = store.list(limit: limit + 1, before: before)
        var jobs: [JobRecord] = []
        for record in page.prefix(limit) {
            jobs.append(try checkedForLostRunner(record, service: service).publicView(includingResult: false))
        }
        let listing = JobListing(jobs: jobs, next_before: page.count > limit ? jobs.last?.job_id : nil)
        return .json(status: 200, body: JSONBody.encode(listing))
    }

    /// Cancels a running job: its supervisor stops the run (TERM, grace, KILL) and records `cancelled`.
    func cancel(_ id: String, service: Service) throws(APIError) -> HTTPResponse {
        let record = try job(id, service: service)
        guard record.status == .running, let runnerProcess = record.runner else {
            throw .jobFinished(status: record.status.rawValue)
        }
        _ = runner.stop(runnerProcess)
        let deadline = Monotonic.now() + settings.cancelWaitSeconds
        var current = record
        while Monotonic.now() < deadline {
            current = try job(id, service: service)
            if current.status.isFinished { break }
            usleepSeconds(0.05)
        }
        return .json(status: current.status.isFinished ? 200 : 202, body: JSONBody.encode(current.publicView()))
    }
}

struct JobListing: Encodable {
    var jobs: [JobRecord]
    var next_before: String?
}
