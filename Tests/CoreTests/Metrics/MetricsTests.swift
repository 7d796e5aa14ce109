import Glibc
import Testing
@testable import Core

/// A counter store in memory.
final class MemoryCounters: CounterStore, @unchecked Sendable {
    private(set) var counters: [String: Double] = [:]
    func add(_ series: String, by delta: Double) -> Bool {
        counters[series, default: 0] += delta
        return true
    }
    func read() -> [String: Double] { counters }
}

struct FixedProbe: RunLockProbe {
    let held: Bool
    func isHeld() -> Bool { held }
}

@Suite struct MetricsTests {
    @Test func aRequestAddsItsRouteAndStatusAndABusyRejection() {
        let counters = MemoryCounters()
        let chat = RequestMetrics.Series(route: "/v1/chat/completions")
        RequestMetrics.count(chat, status: 503, busy: true, in: counters)
        RequestMetrics.count(chat, status: 503, busy: true, in: counters)
        #expect(counters.counters == [
            #"claude_fcgi_requests_total{route="/v1/chat/completions",status="503"}"#: 2,
            #"claude_fcgi_busy_rejections_total{route="/v1/chat/completions"}"#: 2,
        ])
        let other = MemoryCounters()
        RequestMetrics.count(RequestMetrics.Series(route: "/healthz"), status: 200, busy: false, in: other)
        RequestMetrics.count(RequestMetrics.Series(route: "a label of the route table"), status: 418, busy: true, in: other)
        #expect(other.counters == [
            #"claude_fcgi_requests_total{route="/healthz",status="200"}"#: 1,
            #"claude_fcgi_requests_total{route="a label of the route table",status="418"}"#: 1,
            #"claude_fcgi_busy_rejections_total{route="a label of the route table"}"#: 1,
        ], "a status not named in advance is counted all the same")
    }

    @Test func aRunAddsItsOutcomeDurationCostAndTokens() {
        var record = AuditRecord(started: .init(timeIntervalSince1970: 0), durationSeconds: 7.5,
                                 invocation: ClaudeInvocation(requestID: "r", model: "m", prompt: "", agent: nil),
                                 outcome: .succeeded(text: "x", report: ClaudeReport(costUSD: 0.25)))
        record.input_tokens = 10
        record.output_tokens = 3
        record.cache_read_input_tokens = 0
        let deltas = RunMetrics.deltas(record)
        #expect(deltas[#"claude_fcgi_runs_total{outcome="ok"}"#] == 1)
        #expect(deltas["claude_fcgi_run_duration_seconds_sum"] == 7.5)
        #expect(deltas["claude_fcgi_run_duration_seconds_count"] == 1)
        #expect(deltas[#"claude_fcgi_run_duration_seconds_bucket{le="5"}"#] == nil)
        #expect(deltas[#"claude_fcgi_run_duration_seconds_bucket{le="10"}"#] == 1)
        #expect(deltas[#"claude_fcgi_run_duration_seconds_bucket{le="900"}"#] == 1)
        #expect(deltas[#"claude_fcgi_run_duration_seconds_bucket{le="+Inf"}"#] == 1)
        #expect(deltas["claude_fcgi_cost_usd_total"] == 0.25)
        #expect(deltas[#"claude_fcgi_tokens_total{kind="input"}"#] == 10)
        #expect(deltas[#"claude_fcgi_tokens_total{kind="output"}"#] == 3)
        #expect(deltas[#"claude_fcgi_tokens_total{kind="cache_read"}"#] == nil)
    }

    @Test func aScrapeShowsEveryFamilyWithZerosBeforeTheFirstRun() {
        let counters = MemoryCounters()
        RequestMetrics.count(RequestMetrics.Series(route: "/healthz"), status: 200, busy: false, in: counters)
        let text = String(decoding: MetricsEndpoint(counters: counters, lock: FixedProbe(held: true), jobs: nil, workerStarted: 1_700_000_000)
            .scrape().body, as: UTF8.self)
        for line in [
            "# TYPE claude_fcgi_requests_total counter",
            #"claude_fcgi_requests_total{route="/healthz",status="200"} 1"#,
            "# TYPE claude_fcgi_busy_rejections_total counter",
            #"claude_fcgi_runs_total{outcome="timed_out"} 0"#,
            "# TYPE claude_fcgi_run_duration_seconds histogram",
            #"claude_fcgi_run_duration_seconds_bucket{le="2.5"} 0"#,
            #"claude_fcgi_run_duration_seconds_bucket{le="+Inf"} 0"#,
            "claude_fcgi_run_duration_seconds_count 0",
            "claude_fcgi_cost_usd_total 0",
            #"claude_fcgi_tokens_total{kind="cache_creation"} 0"#,
            "claude_fcgi_run_lock_held 1",
            "claude_fcgi_worker_start_time_seconds 1700000000",
        ] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "missing: \(line)")
        }
        #expect(!text.contains("claude_fcgi_jobs"), "no job API, no job family")
    }

    @Test func theServiceCountsEveryAnswerAndServesTheScrape() {
        let counters = MemoryCounters()
        let gate = RunGate(lock: FakeRunLock(), clock: FixedClock(), ids: FixedIDs(), retryAfterSeconds: 7)
        let service = Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 1000),
            chat: ChatEndpoint(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil),
                               runner: FakeRunner(outcome: .succeeded(text: "ok", report: ClaudeReport()))),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 1),
            metrics: MetricsEndpoint(counters: counters, lock: FixedProbe(held: false), jobs: nil, workerStarted: 1),
            counters: counters)
        _ = service.handle(HTTPRequest(method: "GET", path: "/healthz"))
        _ = service.handle(HTTPRequest(method: "GET", path: "/v1/models"))
        let scrape = service.handle(HTTPRequest(method: "GET", path: "/metrics")).response
        #expect(scrape.status == 200)
        #expect(scrape.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(String(decoding: scrape.body, as: UTF8.self).contains(#"claude_fcgi_requests_total{route="/v1/models",status="401"} 1"#))
        #expect(service.handle(HTTPRequest(method: "POST", path: "/metrics")).response.status == 405)
        #expect(counters.counters == [
            #"claude_fcgi_requests_total{route="/healthz",status="200"}"#: 1,
            #"claude_fcgi_requests_total{route="/v1/models",status="401"}"#: 1,
            #"claude_fcgi_requests_total{route="/metrics",status="200"}"#: 1,
            #"claude_fcgi_requests_total{route="/metrics",status="405"}"#: 1,
        ])
    }

    @Test func aBusyAnswerTakesTheFleetsStatusAndIsCountedAsBusy() {
        let counters = MemoryCounters()
        let lock = FakeRunLock()
        lock.isHeldElsewhere = true
        let gate = RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs(), retryAfterSeconds: 7)
        let service = Service(
            auth: BearerAuth(token: "tok"), body: BodyRules(maxBodyBytes: 1000),
            chat: ChatEndpoint(gate: gate, run: testRunSettings, agentMap: AgentMap(fallback: nil),
                               runner: FakeRunner(outcome: .succeeded(text: "ok", report: ClaudeReport()))),
            models: ModelsEndpoint(models: ModelList(agentMap: AgentMap(fallback: nil)), created: 1),
            counters: counters)
        var request = HTTPRequest(method: "POST", path: "/v1/chat/completions",
                                  headers: ["Authorization": "Bearer tok", "Content-Type": "application/json"],
                                  body: Array(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#.utf8))
        #expect(service.handle(request).response.status == 503)
        request.busyStatus = 429
        let fleet = service.handle(request).response
        #expect(fleet.status == 429)
        #expect(fleet.header("Retry-After") == "7")
        #expect(counters.counters[#"claude_fcgi_busy_rejections_total{route="/v1/chat/completions"}"#] == 2)
        #expect(counters.counters[#"claude_fcgi_requests_total{route="/v1/chat/completions",status="429"}"#] == 1)
    }

    @Test func labelValuesAreEscaped() {
        #expect(PrometheusText.series("m", ["a": "x\"y\\z\nw"]) == #"m{a="x\"y\\z\nw"}"#)
        #expect(PrometheusText.number(3) == "3")
        #expect(PrometheusText.number(0.125) == "0.125")
    }

    @Test func theLockProbeReadsProcLocks() {
        let table = """
        1: POSIX  ADVISORY  WRITE 1973 fe:00:5309297 0 EOF
        2: FLOCK  ADVISORY  WRITE 2000 00:2f:4711 0 EOF
        2: -> FLOCK  ADVISORY  WRITE 2001 00:30:99 0 EOF
        """
        let device = UInt64(0x2f)  // major 0, minor 0x2f
        #expect(ProcLocksProbe.holds(table, device: device, inode: 4711))
        #expect(!ProcLocksProbe.holds(table, device: device, inode: 5309297), "a POSIX lock is not the run lock")
        #expect(!ProcLocksProbe.holds(table, device: 0x30, inode: 99), "a waiting lock is not held")
    }

    @Test func theLockProbeSeesARealFlockWithoutTakingIt() throws {
        let path = "/tmp/claude-fcgi-probe-\(getpid())-\(Int.random(in: 0..<1_000_000)).lock"
        defer { unlink(path) }
        let lock = FileRunLock(path: path)
        let probe = ProcLocksProbe(lockPath: path)
        let held = try #require(try lock.tryAcquire())
        #expect(probe.isHeld())
        held.release()
        // A child that another test forks in parallel holds a copy of the descriptor until its exec.
        var free = false
        for _ in 0..<200 where !free {
            free = !probe.isHeld()
            if !free { usleep(10_000) }
        }
        #expect(free)
        // The probe did not take it either.
        let again = try lock.tryAcquire()
        #expect(again != nil)
    }
}
