// libFuzzer target: the request path of Core (auth, body checks, JSON decoding and validation,
// prompt synthesis, envelope) with a stand-in lock and runner, so no process is started. Each input
// goes to /v1/chat/completions, /v1/responses (responses kept in memory) and /v1/messages.
// Built by fuzz/run together with Sources/Core as one module.

final class FuzzLock: RunLock, @unchecked Sendable {
    final class Held: HeldRunLock {
        var descriptor: Int32? { nil }
        func release() {}
    }
    func tryAcquire() throws(RunLockError) -> (any HeldRunLock)? { Held() }
}

struct FuzzRunner: ClaudeRunning {
    func run(_ plan: RunPlan, lock: any HeldRunLock, cancelOn: Int32?, watcher: RunWatcher) -> ClaudeOutcome {
        // A run with an output schema answers a value every reading of StructuredOutputPlan accepts.
        .succeeded(text: plan.invocation.jsonSchema == nil ? plan.invocation.prompt : #"{"value":1,"content":"x"}"#, report: ClaudeReport())
    }
}

/// Stored responses in memory, a few at a time (the fuzzer sends millions).
final class FuzzResponseStore: ResponseStore, @unchecked Sendable {
    var records: [String: StoredResponse] = [:]

    func read(_ id: String) throws(ResponseStoreError) -> StoredResponse? { records[id] }

    func write(_ response: StoredResponse) throws(ResponseStoreError) {
        if records.count >= 16 { records.removeAll() }
        records[response.id] = response
    }

    func delete(_ id: String) -> Bool { records.removeValue(forKey: id) != nil }
    func hasSession(_ session: String) -> Bool { true }
    func deleteSession(_ session: String) {}
}

let settings = RunSettings(
    claude: ClaudeSettings(executable: "claude", workingDirectory: "/", maxBudgetUSD: "1", timeoutSeconds: 1, killGraceSeconds: 1, environment: [:]),
    gitSync: GitSyncSettings(mode: .off), stateDirectory: "/tmp")  // a writable one: a run checks it (StateDirectory)
let fuzzGate = RunGate(lock: FuzzLock())
let fuzzConversation = ConversationRunner(gate: fuzzGate, run: settings, agentMap: AgentMap(fallback: "recruiter-triage"), runner: FuzzRunner())
nonisolated(unsafe) let service = Service(
    auth: BearerAuth(token: "fuzz-token"), body: BodyRules(maxBodyBytes: 1 << 20),
    chat: ChatEndpoint(gate: fuzzGate, run: settings, agentMap: AgentMap(fallback: "recruiter-triage"), runner: FuzzRunner(),
                       streaming: StreamingSettings(enabled: true)),
    models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: "recruiter-triage")), created: 0),
    responses: ResponsesEndpoint(
        conversation: fuzzConversation,
        store: FuzzResponseStore()),
    messages: MessagesEndpoint(conversation: fuzzConversation))

/// Every object key in document order, with its path.
func keyPaths(_ value: JSONValue, at path: String = "") -> [String] {
    switch value {
    case .object(let members): members.flatMap { [path + "/" + $0.key] + keyPaths($0.value, at: path + "/" + $0.key) }
    case .array(let items): items.enumerated().flatMap { keyPaths($0.element, at: path + "/\($0.offset)") }
    default: []
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    // What the parser reads, it writes as text that reads back with the same keys in the same order;
    // from then on the text is a fixed point (the first writing may turn -2^63 as a double into an integer).
    if let value = JSONValue.parse(body) {
        let again = JSONValue.parse(Array(value.compactText.utf8))
        precondition(again.map { keyPaths($0) } == keyPaths(value), "compact text that does not read back with the same keys")
        if let again { precondition(JSONValue.parse(Array(again.compactText.utf8))?.compactText == again.compactText, "compact text that is no fixed point") }
    }
    checkChat(body)
    checkResponses(body)
    checkMessages(body)
    return 0
}

func post(_ path: String, _ body: [UInt8]) -> HandledRequest {
    service.handle(HTTPRequest(method: "POST", path: path, headers: ["Authorization": "Bearer fuzz-token", "Content-Type": "application/json"],
                               body: body))
}

func checkChat(_ body: [UInt8]) {
    let handled = post("/v1/chat/completions", body)
    // Every answer is JSON (or, streamed, events of JSON) with a status we mean to give.
    precondition([200, 400, 413].contains(handled.response.status), "unexpected status \(handled.response.status)")
    if handled.response.header("Content-Type") == "text/event-stream" {
        let events = String(decoding: handled.response.body, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        precondition(events.last == "data: [DONE]", "a stream that does not end with [DONE]")
        for event in events.dropLast() {
            precondition(event.hasPrefix("data: ") && JSONValue.parse(Array(event.utf8.dropFirst(6))) != nil, "an event that is not JSON")
        }
    } else {
        precondition(JSONValue.parse(handled.response.body) != nil, "response body is not JSON")
    }
    if handled.response.status == 200 {
        // A request the decoder accepted must survive the strict checks again, unchanged.
        precondition((try? ChatCompletionDecoder.decode(body, allowsStreaming: true)) != nil)
    }
}

/// The events of a stream whose every event has an `event:` line naming its data's `type` (keep-alive
/// comments aside).
func namedEvents(_ body: [UInt8]) -> [(type: String, data: JSONObject)] {
    let events = String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty && !$0.hasPrefix(":") }
    return events.map { event in
        let lines = event.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        precondition(lines.count == 2 && lines[0].hasPrefix("event: ") && lines[1].hasPrefix("data: "), "a malformed event")
        let type = String(lines[0].dropFirst(7))
        guard case .object(let data)? = JSONValue.parse(Array(lines[1].utf8.dropFirst(6))) else { preconditionFailure("an event that is not JSON") }
        precondition(data["type"] == .string(type), "an event whose data names another type")
        return (type, data)
    }
}

/// `/v1/responses`: JSON, or events each naming its type with sequence numbers from 0, ending with
/// `response.completed` or `response.failed`; an error in OpenAI's shape; a status we mean to give.
func checkResponses(_ body: [UInt8]) {
    let handled = post("/v1/responses", body)
    let status = handled.response.status
    // 404: a previous_response_id that names nothing stored.
    precondition([200, 400, 404, 413].contains(status), "unexpected responses status \(status)")
    if handled.response.header("Content-Type") == "text/event-stream" {
        precondition(status == 200, "a stream with status \(status)")
        let events = namedEvents(handled.response.body)
        for (index, event) in events.enumerated() {
            precondition(event.data["sequence_number"] == .integer(Int64(index)), "a sequence number out of order")
        }
        let types = events.map(\.type)
        precondition(types.first == "response.created", "a stream that does not begin with response.created")
        precondition(types.last == "response.completed" || types.last == "response.failed", "a stream that does not end with its response")
        return
    }
    guard case .object(let document)? = JSONValue.parse(handled.response.body) else { preconditionFailure("responses body is not JSON") }
    if status == 200 {
        precondition(document["object"] == .string("response") && document["status"] == .string("completed"), "a 200 that is no completed response")
        precondition((try? ResponsesDecoder.decode(body)) != nil, "an accepted body the decoder refuses")
    } else {
        guard case .object(let error)? = document["error"], document.count == 1 else { preconditionFailure("an error not in OpenAI's shape") }
        precondition(Set(error.keys) == ["message", "type", "param", "code"], "an error without its four fields")
        if status == 404 { precondition(error["param"] == .string("previous_response_id"), "a 404 naming no previous_response_id") }
    }
}

/// `/v1/messages`: a message, or events each with its `event:` line naming the data's type, from
/// `message_start` to `message_stop` (or an `error` event); an error in Anthropic's shape; a status we
/// mean to give.
func checkMessages(_ body: [UInt8]) {
    let handled = post("/v1/messages", body)
    let status = handled.response.status
    precondition([200, 400, 413].contains(status), "unexpected messages status \(status)")
    if handled.response.header("Content-Type") == "text/event-stream" {
        precondition(status == 200, "a stream with status \(status)")
        let types = namedEvents(handled.response.body).map(\.type)
        precondition(types.first == "message_start", "a stream that does not begin with message_start")
        precondition(types.last == "message_stop" || types.last == "error", "a stream that does not end with message_stop or error")
        return
    }
    guard case .object(let document)? = JSONValue.parse(handled.response.body) else { preconditionFailure("messages body is not JSON") }
    if status == 200 {
        precondition(document["type"] == .string("message"), "a 200 that is no message")
        precondition((try? MessagesDecoder.decode(body)) != nil, "an accepted body the decoder refuses")
    } else {
        guard document["type"] == .string("error"), case .object(let error)? = document["error"], document.count == 2 else {
            preconditionFailure("an error not in Anthropic's shape")
        }
        precondition(Set(error.keys) == ["type", "message"], "an error without its two fields")
        precondition(error["type"] == .string(status == 413 ? "request_too_large" : "invalid_request_error"), "an error of the wrong type")
    }
}
