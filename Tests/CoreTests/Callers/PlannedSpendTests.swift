import Testing
@testable import Core

@Suite struct PlannedSpendTests {
    let spend = PlannedSpend(hold: SpendHold(id: "h", caller: "alice", budgetUSD: 0.75), directory: "/nonexistent", timeZone: "UTC")

    @Test func aRunIsCountedAtItsCostElseAtItsBudgetWhenItWasStoppedBeforeSayingIt() {
        let report = ClaudeReport(costUSD: 0.2)
        #expect(spend.cost(of: .succeeded(text: "x", report: report)) == 0.2)
        #expect(spend.cost(of: .cancelled(report: report)) == 0.2)
        // Stopped before the CLI said what it spent: the most it could have.
        #expect(spend.cost(of: .cancelled(report: nil)) == 0.75)
        #expect(spend.cost(of: .timedOut(detail: "x", report: nil)) == 0.75)
        // Failed without a cost (claude not found, refused its arguments): nothing that costs ran.
        #expect(spend.cost(of: .failed(detail: "x", report: nil)) == nil)
    }
}
