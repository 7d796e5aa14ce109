/// `GET /metrics`: the shared counters, and what is true at the moment of the scrape (the run lock,
/// job records by status, this worker's start), in the Prometheus text format. No token: nginx lets
/// only 127.0.0.1 reach it (`deploy/nginx.conf`). A scrape reads files and never takes the run lock.
public struct MetricsEndpoint: Sendable {
    let counters: any CounterStore
    let lock: any RunLockProbe
    /// The job API, whose records are counted; `nil` when it is off.
    let jobs: ExecuteEndpoint?
    /// This worker's start, Unix seconds.
    let workerStarted: Int64

    public init(counters: any CounterStore, lock: any RunLockProbe, jobs: ExecuteEndpoint?, workerStarted: Int64) {
        self.counters = counters
        self.lock = lock
        self.jobs = jobs
        self.workerStarted = workerStarted
    }

    public func scrape() -> HTTPResponse {
        let stored = counters.read()
        var text = PrometheusText()
        text.family(RequestMetrics.requests, type: "counter", help: "Requests answered, by route and status.",
                    samples: Self.family(RequestMetrics.requests, in: stored))
        text.family(RequestMetrics.busyRejections, type: "counter",
                    help: "Requests answered busy (503 for chat, 409 for jobs) because a run held the lock.",
                    samples: Self.family(RequestMetrics.busyRejections, in: stored))
        text.family(RunMetrics.runs, type: "counter", help: "Claude runs (chat and jobs) by outcome, as in the audit log.",
                    samples: Self.family(RunMetrics.runs, in: stored,
                                         zeros: RunMetrics.outcomes.map { PrometheusText.series(RunMetrics.runs, ["outcome": $0]) }))
        let buckets = (RunMetrics.bucketBounds.map(Optional.some) + [nil]).map { bound in
            (RunMetrics.bucket(bound), stored[RunMetrics.bucket(bound)] ?? 0)
        }
        text.family(RunMetrics.duration, type: "histogram", help: "Duration of claude runs in seconds.",
                    samples: buckets + [(RunMetrics.duration + "_sum", stored[RunMetrics.duration + "_sum"] ?? 0),
                                        (RunMetrics.duration + "_count", stored[RunMetrics.duration + "_count"] ?? 0)])
        text.family(RunMetrics.cost, type: "counter", help: "Total cost of claude runs in USD, as the CLI reports it.",
                    samples: [(RunMetrics.cost, stored[RunMetrics.cost] ?? 0)])
        text.family(RunMetrics.warmRuns, type: "counter", help: "Claude runs whose claude was the warm spare, started ahead of its prompt.",
                    samples: [(RunMetrics.warmRuns, stored[RunMetrics.warmRuns] ?? 0)])
        text.family(RunMetrics.tokens, type: "counter", help: "Tokens of claude runs by kind (the CLI's four counts).",
                    samples: Self.family(RunMetrics.tokens, in: stored,
                                         zeros: RunMetrics.tokenKinds.map { PrometheusText.series(RunMetrics.tokens, ["kind": $0]) }))
        text.family(RunMetrics.callerRuns, type: "counter", help: "Claude runs by caller (the keys file's names; default: the token).",
                    samples: Self.family(RunMetrics.callerRuns, in: stored))
        text.family(RunMetrics.callerCost, type: "counter", help: "Total cost of claude runs in USD by caller.",
                    samples: Self.family(RunMetrics.callerCost, in: stored))
        text.family(RunMetrics.callerTokens, type: "counter", help: "Tokens of claude runs by caller and kind.",
                    samples: Self.family(RunMetrics.callerTokens, in: stored))
        text.family("claude_fcgi_run_lock_held", type: "gauge", help: "1 while a run holds the run lock.",
                    samples: [("claude_fcgi_run_lock_held", lock.isHeld() ? 1 : 0)])
        if let jobs {
            let byStatus = jobs.countsByStatus()
            text.family("claude_fcgi_jobs", type: "gauge", help: "Job records kept, by status.",
                        samples: byStatus.keys.sorted().map { (PrometheusText.series("claude_fcgi_jobs", ["status": $0]), Double(byStatus[$0] ?? 0)) })
        }
        text.family("claude_fcgi_worker_start_time_seconds", type: "gauge",
                    help: "Start of the worker that answered this scrape, Unix seconds.",
                    samples: [("claude_fcgi_worker_start_time_seconds", Double(workerStarted))])
        return HTTPResponse(status: 200, headers: [("Content-Type", PrometheusText.contentType)], body: Array(text.text.utf8))
    }

    /// The stored samples of one family (`name` alone or `name{…}`), and each of `zeros` not stored
    /// yet at 0 (so that a series exists before its first count), sorted by series.
    static func family(_ name: String, in stored: [String: Double], zeros: [String] = []) -> [(series: String, value: Double)] {
        let names = Set(stored.keys.filter { $0 == name || $0.hasPrefix(name + "{") }).union(zeros)
        return names.sorted().map { ($0, stored[$0] ?? 0) }
    }
}
