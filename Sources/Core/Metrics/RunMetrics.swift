/// What one run adds to the shared counters, from the figures of its audit line: the run by outcome,
/// its duration in the histogram, its cost and its tokens.
public enum RunMetrics {
    static let runs = "claude_fcgi_runs_total"
    static let duration = "claude_fcgi_run_duration_seconds"
    static let cost = "claude_fcgi_cost_usd_total"
    static let tokens = "claude_fcgi_tokens_total"
    /// The same by caller: the label's values are the keys file's names and `default`, a bounded set.
    static let callerRuns = "claude_fcgi_caller_runs_total"
    static let callerCost = "claude_fcgi_caller_cost_usd_total"
    static let callerTokens = "claude_fcgi_caller_tokens_total"
    /// Runs whose claude was the warm spare (the rest of `runs` started cold).
    static let warmRuns = "claude_fcgi_warm_runs_total"

    /// The audit log's outcomes, each shown (at 0) before its first run.
    static let outcomes = RunOutcome.allCases.map(\.word)
    /// Upper bounds of the duration buckets, in seconds: claude's start-up is about a second, tool
    /// runs take minutes, the default run timeout is 900 s.
    static let bucketBounds: [Double] = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900]
    /// Token kinds: the CLI's four counts.
    static let tokenKinds = ["input", "cache_creation", "cache_read", "output"]

    static func bucket(_ bound: Double?) -> String {
        PrometheusText.series(duration + "_bucket", ["le": bound.map(PrometheusText.number) ?? "+Inf"])
    }

    /// The deltas of one run, as its audit line records it.
    public static func deltas(_ record: AuditRecord) -> [String: Double] {
        let seconds = Double(record.duration_ms) / 1000
        var deltas: [String: Double] = [
            PrometheusText.series(runs, ["outcome": record.outcome]): 1,
            duration + "_sum": seconds,
            duration + "_count": 1,
            bucket(nil): 1,
        ]
        for bound in bucketBounds where seconds <= bound { deltas[bucket(bound)] = 1 }
        deltas[PrometheusText.series(callerRuns, ["caller": record.caller])] = 1
        if record.warm == true { deltas[warmRuns] = 1 }
        if let usd = record.total_cost_usd, usd > 0 {
            deltas[cost] = usd
            deltas[PrometheusText.series(callerCost, ["caller": record.caller])] = usd
        }
        let counts = [record.input_tokens, record.cache_creation_input_tokens, record.cache_read_input_tokens, record.output_tokens]
        for (kind, count) in zip(tokenKinds, counts) {
            guard let count, count > 0 else { continue }
            deltas[PrometheusText.series(tokens, ["kind": kind])] = Double(count)
            deltas[PrometheusText.series(callerTokens, ["caller": record.caller, "kind": kind])] = Double(count)
        }
        return deltas
    }
}
