// libFuzzer target: the request path of Core (auth, body checks, JSON decoding and validation,
// prompt synthesis, envelope) with a stand-in lock and runner, so no process is started.
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

let settings = RunSettings(
    claude: ClaudeSettings(executable: "claude", workingDirectory: "/", maxBudgetUSD: "1", timeoutSeconds: 1, killGraceSeconds: 1, environment: [:]),
    gitSync: GitSyncSettings(mode: .off), stateDirectory: "/nonexistent")
nonisolated(unsafe) let service = Service(
    auth: BearerAuth(token: "fuzz-token"), body: BodyRules(maxBodyBytes: 1 << 20),
    chat: ChatEndpoint(gate: RunGate(lock: FuzzLock()), run: settings, agentMap: AgentMap(fallback: "recruiter-triage"), runner: FuzzRunner(),
                       streaming: StreamingSettings(enabled: true)),
    models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: "recruiter-triage")), created: 0))

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
    let handled = service.handle(HTTPRequest(
        method: "POST", path: "/v1/chat/completions",
        headers: ["Authorization": "Bearer fuzz-token", "Content-Type": "application/json"], body: body))
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
    return 0
}
