/// `background: true`: the response is stored `in_progress` and its run starts as an `/execute` job
/// (same lock, same detached supervisor, so it outlives the worker that started it); `GET` reads the
/// job as it stands and, once it has ended, stores the finished response; cancel stops the job.
public struct BackgroundResponses: Sendable {
    let conversation: ConversationRunner
    let store: any ResponseStore
    let jobs: any JobStore
    let runner: any JobRunning
    let settings: JobSettings

    public init(conversation: ConversationRunner, store: any ResponseStore, jobs: any JobStore, runner: any JobRunning, settings: JobSettings) {
        self.conversation = conversation
        self.store = store
        self.jobs = jobs
        self.runner = runner
        self.settings = settings
    }

    var gate: RunGate { conversation.gate }

    /// Stores the response `in_progress`, then starts its job with the held lock.
    func start(_ run: RunRequest, echo: ResponseEcho, caller: Caller, lock: any HeldRunLock, note: inout RunNote) throws -> HTTPResponse {
        let jobID = JobID.make(milliseconds: gate.clock.millisecondsSinceEpoch(), random: String(gate.ids.next().prefix(8)))
        let prepared = try conversation.prepare(run, for: caller, requestID: jobID)
        guard let session = prepared.invocation.keptSession else {
            throw APIError.internalFailure(detail: "a background response must keep its session")
        }
        let response = ResponseObject(id: ResponseID.make(requestID: jobID), createdAt: prepared.created, echo: echo)
        let body = response.json(status: .inProgress).compactText
        try store.write(StoredResponse(id: response.id, created_at: response.createdAt, session_id: session, calls: [], response: body,
                                       job_id: jobID, reading: prepared.output.map { $0.reading.word } ?? nil, in_progress: true,
                                       caller: caller.name))
        var admitted: RunPlan?
        do {
            // Admitted (cap, rate, room for the records) after the response is stored: refused, it is taken back.
            let plan = try conversation.plan(prepared, kind: .job(JobRecord(id: jobID, agent: prepared.invocation.agent,
                                                                        created: gate.clock.rfc3339(), caller: caller.name)))
            admitted = plan
            _ = try runner.start(plan, lock: lock)
        } catch {
            _ = store.delete(response.id)
            admitted?.spend?.release(now: gate.clock.now())
            throw error
        }
        note.outcome = .jobStarted
        note.requestID = jobID
        return .json(status: 200, body: Array(body.utf8))
    }

    /// The response as its job stands: unchanged while it runs; once it has ended, the finished response,
    /// stored so that it is read as it is from then on. A response that ended without an answer keeps
    /// no session.
    func current(_ record: StoredResponse) throws -> StoredResponse {
        guard record.in_progress, let jobID = record.job_id, case .object(var object)? = JSONValue.parse(Array(record.response.utf8)) else {
            return record
        }
        let job = try jobs.read(jobID)?.asSeen(isAlive: runner.isAlive)
        if job?.status == .running { return record }
        var finished = record
        finished.in_progress = false
        var answered = false
        if let job, case .ended(let outcome) = job.status {
            switch outcome {
            case .succeeded:
                do {
                    let answer = try self.answer(job, reading: record.reading, responseID: record.id)
                    let response = ResponseObject(id: record.id, createdAt: record.created_at, echo: ResponseEcho(model: ""))
                    object["status"] = .string(ResponseObject.Status.completed.rawValue)
                    object["output"] = .array(response.items(of: answer))
                    object["usage"] = ResponseObject.usage(answer.usage)
                    finished.calls = answer.toolCalls
                    answered = true
                } catch {
                    object["status"] = .string(ResponseObject.Status.failed.rawValue)
                    object["error"] = ResponseObject.error(APIError(answering: error))
                }
            case .cancelled:
                object["status"] = .string(ResponseObject.Status.cancelled.rawValue)
            case .failed, .timedOut:
                object["status"] = .string(ResponseObject.Status.failed.rawValue)
                object["error"] = ResponseObject.error(.executionFailed(detail: job.detail ?? outcome.word))
            }
        } else {
            // The job's record was pruned (or deleted) before anyone read how it ended: that is lost.
            object["status"] = .string(ResponseObject.Status.failed.rawValue)
            object["error"] = ResponseObject.error(.executionFailed(detail: "job \(jobID): its record is gone"))
        }
        if !answered { store.deleteSession(record.session_id) }
        finished.response = JSONValue.object(object).compactText
        try store.write(finished)
        return finished
    }

    /// Stops a running background response's job (TERM, grace, KILL) and waits for it to end, as
    /// `DELETE /execute/{id}` does; the response as it then stands.
    func cancel(_ record: StoredResponse) throws -> StoredResponse {
        guard let jobID = record.job_id, let job = try jobs.read(jobID)?.asSeen(isAlive: runner.isAlive) else { return record }
        if job.status == .running, let process = job.runner {
            _ = runner.stop(process)
            let deadline = Monotonic.now() + settings.cancelWaitSeconds
            while Monotonic.now() < deadline, try jobs.read(jobID)?.asSeen(isAlive: runner.isAlive).status == .running {
                Monotonic.sleep(0.05)
            }
        }
        return try current(record)
    }

    /// The answer in a succeeded job's result. Its call ids come from the response's id, so that every
    /// reading of the record gives the same ones.
    func answer(_ job: JobRecord, reading word: String?, responseID: String) throws(APIError) -> RunAnswer {
        let text = job.result ?? ""
        var next = 0
        var answer: RunAnswer
        if let word {
            guard let reading = StructuredOutputPlan.Reading(word: word) else {
                throw .internalFailure(detail: "response \(responseID): unknown reading '\(word)'")
            }
            answer = try StructuredOutputPlan(schemaText: "", reading: reading).answer(from: text) {
                next += 1
                return "call_\(responseID.dropFirst("resp_".count))_\(next)"
            }
        } else {
            answer = RunAnswer(content: text)
        }
        let usage = job.usage
        answer.usage = TokenUsage(inputTokens: (usage?.prompt_tokens ?? 0) - (job.cached_tokens ?? 0), cacheReadTokens: job.cached_tokens ?? 0,
                                  outputTokens: usage?.completion_tokens ?? 0)
        return answer
    }

}

extension StructuredOutputPlan.Reading {
    /// The reading as a stored background response names it.
    var word: String {
        switch self {
        case .whole: "whole"
        case .wrapped: "wrapped"
        case .toolCalls(jsonContent: false): "tool_calls"
        case .toolCalls(jsonContent: true): "tool_calls_json"
        }
    }

    init?(word: String) {
        switch word {
        case "whole": self = .whole
        case "wrapped": self = .wrapped
        case "tool_calls": self = .toolCalls(jsonContent: false)
        case "tool_calls_json": self = .toolCalls(jsonContent: true)
        default: return nil
        }
    }
}
