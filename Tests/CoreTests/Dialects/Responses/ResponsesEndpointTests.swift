import Testing
@testable import Core

@Suite struct ResponsesEndpointTests {
    let lock = FakeRunLock()
    let runner: FakeRunner
    let store = MemoryResponseStore()
    let jobs = MemoryJobStore()
    let jobRunner: FakeJobRunner
    let service: Service
    let gate = RunGate(lock: FakeRunLock(), clock: FixedClock(), ids: FixedIDs(id: "abcdefgh12"), retryAfterSeconds: 7)

    init() {
        runner = FakeRunner(outcome: .succeeded(text: "Paris.", report: ClaudeReport(
            usage: TokenUsage(inputTokens: 4, cacheCreationTokens: 1, cacheReadTokens: 5, outputTokens: 2))), lock: lock)
        jobRunner = FakeJobRunner(store: jobs)
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs(id: "abcdefgh12"), retryAfterSeconds: 7)
        let conversation = ConversationRunner(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: "triage"), runner: runner)
        let background = BackgroundResponses(conversation: conversation, store: store, jobs: jobs, runner: jobRunner,
                                             settings: JobSettings(caps: JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900), defaultAgent: nil,
                                                                   cancelWaitSeconds: 0.1))
        service = Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 100_000),
            chat: ChatEndpoint(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: "triage"), runner: runner),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0),
            responses: ResponsesEndpoint(conversation: conversation, store: store, background: background))
    }

    func send(_ method: String, _ path: String, _ body: String = "", authorization: String = "Bearer tok") -> HandledRequest {
        service.handle(HTTPRequest(method: method, path: path, headers: ["Authorization": authorization, "Content-Type": "application/json"],
                                   body: Array(body.utf8)))
    }

    func create(_ fields: String) -> HandledRequest { send("POST", "/v1/responses", "{\(fields)}") }

    func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    /// The OpenAI error body's fields.
    func error(_ response: HTTPResponse) -> JSONObject {
        guard case .object(let error)? = jsonObject(response.body)["error"] else { return [:] }
        #expect(Set(error.keys) == ["message", "type", "param", "code"])
        return error
    }

    let good = #""model":"claude-haiku-4-5","instructions":"Be concise.","input":"Capital of France?""#

    @Test func aResponseIsAnsweredAndStoredWithItsSession() throws {
        let handled = create(good)
        #expect(handled.response.status == 200)
        #expect(handled.response.header("Content-Type") == "application/json")
        #expect(handled.run == RunNote(outcome: .ran(.succeeded), requestID: "abcdefgh12", caller: "default"))
        let body = jsonObject(handled.response.body)
        #expect(body["id"] == .string("resp_abcdefgh12"))
        #expect(body["status"] == .string("completed"))
        #expect(body["created_at"] == .integer(1_700_000_000))
        #expect(body["model"] == .string("claude-haiku-4-5"))
        #expect(body["instructions"] == .string("Be concise."))
        #expect(body["output"]?.compactText == #"[{"id":"msg_abcdefgh12","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Paris.","annotations":[],"logprobs":[]}]}]"#)
        #expect(body["usage"]?.compactText == #"{"input_tokens":10,"input_tokens_details":{"cached_tokens":5},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":12}"#)
        // The session the run keeps is named for it: a UUID.
        let kept = try #require(runner.invocations.first?.keptSession)
        #expect(SessionID.isValid(kept) && kept.count == 36)
        #expect(runner.invocations == [ClaudeInvocation(
            requestID: "abcdefgh12", model: "claude-haiku-4-5",
            prompt: "System instructions:\nBe concise.\n\n---\n\nRequest:\nCapital of France?", agent: "triage", keptSession: kept)])
        #expect(store.records["resp_abcdefgh12"] == StoredResponse(id: "resp_abcdefgh12", created_at: 1_700_000_000, session_id: kept,
                                                                     calls: [], response: text(handled.response), caller: "default"))
        #expect(lock.releases == lock.acquisitions)
    }

    @Test func storeFalseKeepsNothing() {
        let handled = create(good + #","store":false"#)
        #expect(handled.response.status == 200)
        #expect(jsonObject(handled.response.body)["store"] == .bool(false))
        #expect(store.writes.isEmpty)
        #expect(runner.invocations.first?.keptSession == nil)
    }

    @Test func theCallsOfAnAnswerAreStoredToBeAnswered() {
        runner.outcome = .succeeded(text: #"{"tool_calls":[{"name":"ns.get","arguments":{"city":"Paris"}}]}"#, report: ClaudeReport())
        let handled = create(#""model":"m","input":"Weather?","tools":[{"type":"namespace","name":"ns","tools":[{"type":"function","name":"get"}]}]"#)
        #expect(handled.response.status == 200)
        let stored = store.records["resp_abcdefgh12"]
        #expect(stored?.calls == [ToolCall(id: "call_abcdefgh12", name: "ns.get", arguments: #"{"city":"Paris"}"#)])
        #expect(stored?.session_id == runner.invocations.first?.keptSession)
        #expect(jsonObject(handled.response.body)["output"]?.compactText
            == #"[{"id":"fc_abcdefgh12","type":"function_call","status":"completed","call_id":"call_abcdefgh12","name":"get","arguments":"{\"city\":\"Paris\"}","namespace":"ns"}]"#)
    }

    @Test func aPreviousResponseResumesItsSessionWithItsCalls() throws {
        store.records["resp_prev"] = StoredResponse(id: "resp_prev", created_at: 1, session_id: "sess-0",
                                                    calls: [ToolCall(id: "call_1", name: "get", arguments: "{}")], response: "{}")
        let handled = create(#""model":"m","previous_response_id":"resp_prev","input":[{"type":"function_call_output","call_id":"call_1","output":"sunny"}]"#)
        #expect(handled.response.status == 200)
        #expect(runner.invocations.first?.resumesSession == "sess-0")
        #expect(runner.invocations.first?.keptSession != nil)
        #expect(runner.invocations.first?.prompt
            == "Conversation so far:\nFunction get returned (call id call_1): sunny\n\n---\n\nRequest:\n" + PromptBuilder.continueRequest)
        #expect(jsonObject(handled.response.body)["previous_response_id"] == .string("resp_prev"))
        // The new response has a session of its own (the fork's).
        let kept = try #require(runner.invocations.first?.keptSession)
        #expect(kept != "sess-0" && store.records["resp_abcdefgh12"]?.session_id == kept)
    }

    @Test func aPreviousResponseThatIsNotThereIsA404NamingTheField() {
        // Never stored; not a response id at all; a response whose session is gone.
        store.records["resp_nosession"] = StoredResponse(id: "resp_nosession", created_at: 1, session_id: "gone", calls: [], response: "{}")
        store.lostSessions.insert("gone")
        for id in ["resp_missing", "nope", "resp_nosession"] {
            let handled = create(#""model":"m","previous_response_id":"\#(id)","input":"hi""#)
            #expect(handled.response.status == 404)
            let error = error(handled.response)
            #expect(error["param"] == .string("previous_response_id"))
            #expect(error["code"] == .string("previous_response_not_found"))
            #expect(error["type"] == .string("invalid_request_error"))
        }
        #expect(runner.invocations.isEmpty)
        #expect(lock.releases == lock.acquisitions)
    }

    @Test func aBadBodyIsA400InOpenAIsShapeNamingTheFieldWithoutARun() {
        let handled = create(#""model":"m","input":"hi","text":{"format":{"type":"xml"}}"#)
        #expect(handled.response.status == 400)
        let error = error(handled.response)
        #expect(error["param"] == .string("text.format.type"))
        #expect(error["type"] == .string("invalid_request_error"))
        #expect(error["code"] == .null)
        #expect(runner.plans.isEmpty)
        #expect(send("POST", "/v1/responses", "not json").response.status == 400)
    }

    @Test func busyIsA503AndA409ForABackgroundRequest() {
        lock.isHeldElsewhere = true
        let handled = create(#""model":"m","input":"hi""#)
        #expect(handled.response.status == 503)
        #expect(handled.response.header("Retry-After") == "7")
        #expect(error(handled.response)["code"] == .string("busy"))
        #expect(error(handled.response)["type"] == .string("server_error"))
        #expect(handled.run.outcome == .busy)
        let background = create(#""model":"m","input":"hi","background":true"#)
        #expect(background.response.status == 409)
        #expect(background.response.header("Retry-After") == "7")
        #expect(error(background.response)["code"] == .string("busy"))
        #expect(runner.plans.isEmpty)
    }

    @Test func aBadBodyIsA400EvenWhileBusy() {
        // The body is read first: which busy answer it gets depends on it.
        lock.isHeldElsewhere = true
        #expect(send("POST", "/v1/responses", "not json").response.status == 400)
    }

    @Test func aStoredResponseWhoseSessionIsGoneIsNotFound() throws {
        let first = create(#""model":"m","input":"hi""#)
        let id = try #require(jsonObject(first.response.body)["id"].flatMap { if case .string(let text) = $0 { text } else { nil } })
        store.lostSessions.insert(try #require(runner.invocations.first?.keptSession))
        let handled = create(#""model":"m","input":"go on","previous_response_id":"\#(id)""#)
        #expect(handled.response.status == 404)
        #expect(error(handled.response)["code"] == .string("previous_response_not_found"))
        #expect(runner.plans.count == 1)
    }

    @Test func aFailedRunIsA503AndNothingIsStored() {
        runner.outcome = .failed(detail: "claude exited with code 42: boom", report: ClaudeReport())
        let handled = create(good)
        #expect(handled.response.status == 503)
        #expect(handled.response.header("x-should-retry") == "false")
        #expect(error(handled.response)["message"] == .string("execution failed: claude exited with code 42: boom"))
        #expect(error(handled.response)["code"] == .string("execution_failed"))
        #expect(store.writes.isEmpty)
    }

    @Test func aStoreThatFailsStillAnswersAndNotesTheProblem() {
        store.failWrites = true
        let handled = create(good)
        #expect(handled.response.status == 200)
        #expect(handled.run.problem?.contains("resp_abcdefgh12 answered but not stored") == true)
    }

    @Test func authAndMethodsAreAnsweredInOpenAIsShape() {
        let unauthorized = send("POST", "/v1/responses", "{}", authorization: "Bearer nope")
        #expect(unauthorized.response.status == 401)
        #expect(error(unauthorized.response)["code"] == .string("invalid_api_key"))
        let method = send("PUT", "/v1/responses/resp_x")
        #expect(method.response.status == 405)
        #expect(method.response.header("Allow") == "GET, DELETE")
        #expect(send("GET", "/v1/responses/resp_x/cancel").response.status == 405)
    }

    // MARK: streamed

    @Test func aStreamedTextAnswerIsEventsAndIsStored() {
        runner.events = [.started, .textDelta(Array("Par".utf8)), .textDelta(Array("is.".utf8))]
        let handled = create(good + #","stream":true"#)
        #expect(handled.response.status == 200)
        #expect(handled.response.header("Content-Type") == "text/event-stream")
        #expect(runner.invocations.first?.streamsText == true)
        let events = responseEvents(handled.response.body)
        #expect(events.map(\.type) == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                                       "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
                                       "response.content_part.done", "response.output_item.done", "response.completed"])
        #expect(events.map { $0.data["sequence_number"] } == (0..<10).map { .integer(Int64($0)) })
        #expect(events.filter { $0.type == "response.output_text.delta" }.map { $0.data["delta"] } == [.string("Par"), .string("is.")])
        #expect(store.records["resp_abcdefgh12"]?.session_id == runner.invocations.first?.keptSession)
        #expect(store.records["resp_abcdefgh12"]?.response == events.last?.data["response"]?.compactText)
    }

    @Test func aStreamedStructuredAnswerSendsItsTextOnlyAtTheEnd() {
        runner.events = [.started, nil]
        runner.outcome = .succeeded(text: #"{"a":1}"#, report: ClaudeReport())
        let handled = create(#""model":"m","input":"x","stream":true,"text":{"format":{"type":"json_object"}}"#)
        #expect(runner.invocations.first?.streamsText == false)
        #expect(runner.invocations.first?.jsonSchema == #"{"type":"object"}"#)
        let events = responseEvents(handled.response.body)
        #expect(events.map(\.type) == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                                       "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                                       "response.output_item.done", "response.completed"])
        #expect(events[4].data["delta"] == .string(#"{"a":1}"#))
    }

    @Test func aStreamedRunThatFailsAfterItBeganEndsWithResponseFailed() {
        runner.events = [.started, .textDelta(Array("Half".utf8))]
        runner.outcome = .failed(detail: "boom", report: nil)
        let handled = create(good + #","stream":true"#)
        #expect(handled.response.status == 200)
        let events = responseEvents(handled.response.body)
        #expect(events.last?.type == "response.failed")
        #expect(events.map { $0.data["sequence_number"] } == events.indices.map { .integer(Int64($0)) })
        #expect(store.writes.isEmpty)
    }

    @Test func aStreamedRunThatFailsBeforeItBeganIsAnOrdinaryError() {
        runner.outcome = .failed(detail: "boom", report: nil)
        let handled = create(good + #","stream":true"#)
        #expect(handled.response.status == 503)
        #expect(error(handled.response)["code"] == .string("execution_failed"))
    }

    // MARK: GET, DELETE, cancel

    @Test func aStoredResponseIsRetrievedAndDeleted() {
        let created = create(good)
        let got = send("GET", "/v1/responses/resp_abcdefgh12")
        #expect(got.response.status == 200)
        #expect(got.response.body == created.response.body)
        let deleted = send("DELETE", "/v1/responses/resp_abcdefgh12")
        #expect(deleted.response.status == 200)
        #expect(text(deleted.response) == #"{"id":"resp_abcdefgh12","object":"response.deleted","deleted":true}"#)
        #expect(store.records.isEmpty)
        for method in ["GET", "DELETE"] {
            let gone = send(method, "/v1/responses/resp_abcdefgh12")
            #expect(gone.response.status == 404)
            #expect(error(gone.response)["code"] == .string("not_found"))
            #expect(error(gone.response)["param"] == .null)
        }
    }

    @Test func cancellingAResponseThatWasNotInTheBackgroundIsA400() {
        _ = create(good)
        let handled = send("POST", "/v1/responses/resp_abcdefgh12/cancel")
        #expect(handled.response.status == 400)
        #expect(error(handled.response)["message"]?.compactText.contains("only background responses can be cancelled") == true)
        #expect(send("POST", "/v1/responses/resp_missing/cancel").response.status == 404)
    }

    // MARK: background

    @Test func aBackgroundResponseStartsAJobAndIsFinishedWhenRead() throws {
        let handled = create(#""model":"m","input":"hi","background":true"#)
        #expect(handled.response.status == 200)
        #expect(handled.run.outcome == .jobStarted)
        let body = jsonObject(handled.response.body)
        #expect(body["status"] == .string("in_progress"))
        #expect(body["background"] == .bool(true))
        let id = try #require(body["id"].flatMap { if case .string(let id) = $0 { id } else { nil } })
        #expect(runner.plans.isEmpty, "the job runs it, not the worker")
        #expect(jobRunner.plans.count == 1)
        let kept = try #require(jobRunner.plans.first?.invocation.keptSession)
        let jobID = try #require(store.records[id]?.job_id)
        #expect(id == "resp_" + jobID)

        #expect(jsonObject(send("GET", "/v1/responses/\(id)").response.body)["status"] == .string("in_progress"))
        var record = try #require(jobs.records[jobID])
        record.finish(.succeeded(text: "Done.", report: ClaudeReport(usage: TokenUsage(inputTokens: 3, outputTokens: 1))), at: "t")
        jobs.records[jobID] = record
        let finished = send("GET", "/v1/responses/\(id)")
        #expect(jsonObject(finished.response.body)["status"] == .string("completed"))
        #expect(store.records[id]?.session_id == kept)
        #expect(store.records[id]?.in_progress == false)
    }

    @Test(arguments: [
        // The run failed; its value could not be read; the answer could not be stored.
        (ClaudeOutcome.failed(detail: "boom", report: nil), #","text":{"format":{"type":"json_object"}}"#, false),
        (.succeeded(text: "not json", report: ClaudeReport()), #","text":{"format":{"type":"json_schema","name":"list","schema":{"type":"array"}}}"#, false),
        (.succeeded(text: "Paris.", report: ClaudeReport()), "", true),
    ] as [(ClaudeOutcome, String, Bool)])
    func aKeptSessionThatNoStoredResponseNamesIsDeleted(outcome: ClaudeOutcome, format: String, failStore: Bool) throws {
        runner.outcome = outcome
        store.failWrites = failStore
        for stream in [false, true] {
            store.deletedSessions = []
            let handled = create(#""model":"m","input":"hi","stream":\#(stream)"# + format)
            let kept = try #require(runner.invocations.last?.keptSession)
            #expect(store.deletedSessions == [kept], "stream: \(stream), status \(handled.response.status)")
        }
    }

    @Test func anAnsweredResponseKeepsItsSession() {
        for stream in [false, true] {
            #expect(create(#""model":"m","input":"hi","stream":\#(stream)"#).response.status == 200)
        }
        #expect(store.deletedSessions.isEmpty)
        #expect(store.writes.count == 2)
    }

    @Test func aBackgroundResponseIsContinuedOnceItHasEnded() throws {
        let body = jsonObject(create(#""model":"m","input":"hi","background":true"#).response.body)
        let id = try #require(body["id"].flatMap { if case .string(let id) = $0 { id } else { nil } })
        let running = create(#""model":"m","input":"go on","previous_response_id":"\#(id)""#)
        #expect(running.response.status == 400)
        #expect(error(running.response)["param"] == .string("previous_response_id"))
        let jobID = try #require(store.records[id]?.job_id)
        var record = try #require(jobs.records[jobID])
        record.finish(.succeeded(text: "Done.", report: ClaudeReport()), at: "t")
        jobs.records[jobID] = record
        // Ended but never fetched: the continuation reads its end first.
        let next = create(#""model":"m","input":"go on","previous_response_id":"\#(id)""#)
        #expect(next.response.status == 200)
        #expect(runner.invocations.last?.resumesSession == store.records[id]?.session_id)
    }

    @Test func deletingARunningBackgroundResponseCancelsItsJobFirst() throws {
        jobRunner.onStop = { $0.finish(.cancelled(report: nil), at: "t") }
        let body = jsonObject(create(#""model":"m","input":"hi","background":true"#).response.body)
        let id = try #require(body["id"].flatMap { if case .string(let id) = $0 { id } else { nil } })
        #expect(send("DELETE", "/v1/responses/\(id)").response.status == 200)
        #expect(jobRunner.stops.count == 1)
        #expect(store.records[id] == nil)
    }

    @Test func aBackgroundResponseThatIsCancelledStopsItsJob() throws {
        jobRunner.onStop = { $0.finish(.cancelled(report: nil), at: "t") }
        let body = jsonObject(create(#""model":"m","input":"hi","background":true"#).response.body)
        let id = try #require(body["id"].flatMap { if case .string(let id) = $0 { id } else { nil } })
        let cancelled = send("POST", "/v1/responses/\(id)/cancel")
        #expect(cancelled.response.status == 200)
        #expect(jobRunner.stops.count == 1)
        #expect(jsonObject(cancelled.response.body)["status"] == .string("cancelled"))
    }

    @Test func backgroundIsRefusedWhereItIsOff() {
        let conversation = ConversationRunner(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil), runner: runner)
        let plain = Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 1000),
            chat: ChatEndpoint(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil), runner: runner),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 0),
            responses: ResponsesEndpoint(conversation: conversation, store: store))
        let handled = plain.handle(HTTPRequest(method: "POST", path: "/v1/responses", headers: ["Authorization": "Bearer tok", "Content-Type": "application/json"],
                                               body: Array(#"{"model":"m","input":"hi","background":true}"#.utf8)))
        #expect(handled.response.status == 400)
        #expect(error(handled.response)["param"] == .string("background"))
        #expect(runner.plans.isEmpty)
    }
}
