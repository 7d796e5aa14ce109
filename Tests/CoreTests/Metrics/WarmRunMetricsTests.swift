import FoundationEssentials
import Testing
@testable import Core

@Suite struct WarmRunMetricsTests {
    func record(warm: Bool?) -> AuditRecord {
        var record = AuditRecord(started: Date(timeIntervalSince1970: 0), durationSeconds: 1,
                                 invocation: ClaudeInvocation(requestID: "r", model: "m", prompt: "", agent: nil),
                                 outcome: .succeeded(text: "x", report: ClaudeReport(costUSD: 0.1)))
        record.warm = warm
        return record
    }

    @Test func aWarmRunCountsAsOne() {
        #expect(RunMetrics.deltas(record(warm: true))["claude_fcgi_warm_runs_total"] == 1)
    }

    @Test func aColdRunAddsNoWarmRun() {
        let cold = RunMetrics.deltas(record(warm: nil))
        #expect(cold["claude_fcgi_warm_runs_total"] == nil)
        #expect(RunMetrics.deltas(record(warm: false))["claude_fcgi_warm_runs_total"] == nil)
        // Otherwise a warm run counts as any other.
        var warm = RunMetrics.deltas(record(warm: true))
        warm["claude_fcgi_warm_runs_total"] = nil
        #expect(warm == cold)
    }
}
