import Testing
@testable import Core

@Suite struct JobRecordTests {
    @Test func finishRecordsEachOutcome() {
        let report = ClaudeReport(usage: TokenUsage(inputTokens: 3, outputTokens: 4), costUSD: 0.01, exitCode: 0)
        var record = JobRecord(id: "job_1700000000000_abcdefgh", agent: nil, created: "t0")
        record.finish(.succeeded(text: "done", report: report), at: "t1")
        #expect(record.status == .ended(.succeeded) && record.result == "done" && record.finished == "t1")
        #expect(record.usage == JobRecord.Usage(prompt_tokens: 3, completion_tokens: 4) && record.cost_usd == 0.01)
        record.finish(.timedOut(detail: "timed out after 5 s", report: nil), at: "t2")
        #expect(record.status == .ended(.timedOut) && record.detail == "timed out after 5 s")
        record.finish(.cancelled(report: nil), at: "t3")
        #expect(record.status == .ended(.cancelled) && record.detail == "cancelled")
    }

    @Test func thePublicViewHidesTheRunnerAndInListingsTheResult() {
        var record = JobRecord(id: "job_1700000000000_abcdefgh", agent: nil, created: "t0")
        record.runner = JobRecord.Runner(pid: 1, start_ticks: 2)
        record.result = "r"
        #expect(record.publicView().runner == nil)
        #expect(record.publicView().result == "r")
        #expect(record.publicView(includingResult: false).result == nil)
    }
}
