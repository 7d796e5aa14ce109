// libFuzzer target: the request path of Core (auth, body checks, JSON decoding and validation,
// prompt synthesis, envelope) with a stand-in lock and runner, so no process is started.
// Built by fuzz/run together with Sources/Core as one module.

final class FuzzLock: RunLock, @unchecked Sendable {
    final class Held: HeldRunLock {
        var descriptor: Int32? { nil }
        func release() {}
    }
    func tryAcquire() throws(APIError) -> (any HeldRunLock)? { Held() }
}

struct FuzzRunner: ClaudeRunning {
    func run(_ invocation: ClaudeInvocation, lock: any HeldRunLock, cancelOn: Int32?) -> ClaudeOutcome {
        .succeeded(text: invocation.prompt, report: ClaudeReport())
    }
}

nonisolated(unsafe) let service = Service(
    configuration: ServiceConfiguration(token: "fuzz-token", agentMap: AgentMap(fallback: "recruiter-triage"), maxBodyBytes: 1 << 20),
    lock: FuzzLock(), runner: FuzzRunner())

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let handled = service.handle(HTTPRequest(
        method: "POST", path: "/v1/chat/completions",
        headers: ["Authorization": "Bearer fuzz-token", "Content-Type": "application/json"], body: body))
    // Every answer is JSON with a status we mean to give.
    precondition([200, 400, 413].contains(handled.response.status), "unexpected status \(handled.response.status)")
    precondition(JSONValue.parse(handled.response.body) != nil, "response body is not JSON")
    if handled.response.status == 200 {
        // A request the decoder accepted must survive the strict checks again, unchanged.
        precondition((try? ChatCompletionDecoder.decode(body)) != nil)
    }
    return 0
}
