import FoundationEssentials
import Testing
@testable import Core

@Suite struct SpendAccountTests {
    let utc: SpendWindow
    /// 2026-12-05T00:00:00Z.
    let start = Date(timeIntervalSince1970: 1_796_428_800)

    init() throws {
        utc = try SpendWindow(timeZone: "UTC")
    }

    func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    @Test func runsPerMinuteRefuseWithTheSecondsUntilASlotFrees() throws {
        var account = SpendAccount(window: utc, now: start)
        let limits = CallerLimits(runsPerMinute: 2)
        _ = try account.reserve(id: "a", limits: limits, perRunUSD: 1, holdSeconds: 600, now: at(0), window: utc)
        _ = try account.reserve(id: "b", limits: limits, perRunUSD: 1, holdSeconds: 600, now: at(20), window: utc)
        account.roll(to: at(47.5), in: utc)
        let refused = #expect(throws: APIError.self) {
            try account.reserve(id: "c", limits: limits, perRunUSD: 1, holdSeconds: 600, now: at(47.5), window: utc)
        }
        // The first start is a minute old at 60 s: 12.5 s from now, rounded up.
        guard case .rateLimited(let seconds, let detail) = refused else { Issue.record("not rate limited: \(String(describing: refused))"); return }
        #expect(seconds == 13)
        #expect(detail == "limit of 2 runs per minute reached; the next may start in 13 s")
        #expect(account.holds.map(\.id) == ["a", "b"])
        account.roll(to: at(60), in: utc)
        #expect(account.runStarts.count == 1)
        #expect(throws: Never.self) { try account.reserve(id: "c", limits: limits, perRunUSD: 1, holdSeconds: 600, now: at(60), window: utc) }
    }

    @Test func retryAfterIsAtLeastOneSecond() throws {
        var account = SpendAccount(window: utc, now: start)
        let limits = CallerLimits(runsPerMinute: 1)
        _ = try account.reserve(id: "a", limits: limits, perRunUSD: 1, holdSeconds: 600, now: at(0), window: utc)
        account.roll(to: at(59.9), in: utc)
        #expect(throws: APIError.rateLimited(retryAfterSeconds: 1, detail: "limit of 1 runs per minute reached; the next may start in 1 s")) {
            try account.reserve(id: "b", limits: limits, perRunUSD: 1, holdSeconds: 600, now: at(59.9), window: utc)
        }
    }

    @Test func aCapIsCheckedBeforeTheRate() throws {
        var account = SpendAccount(window: utc, now: start)
        account.dayUSD = 5
        let refused = #expect(throws: APIError.self) {
            try account.reserve(id: "a", limits: CallerLimits(dailyUSD: 5, runsPerMinute: 0), perRunUSD: 1, holdSeconds: 600, now: start, window: utc)
        }
        guard case .overQuota = refused else { Issue.record("not over quota: \(String(describing: refused))"); return }
    }

    @Test func aClockSetBackKeepsTheLaterFigures() {
        var account = SpendAccount(window: utc, now: at(86_400))
        account.dayUSD = 3
        account.roll(to: start, in: utc)
        #expect(account.day == "2026-12-06")
        #expect(account.dayUSD == 3)
    }

    @Test func settleIgnoresACostThatIsNoNumber() {
        var account = SpendAccount(window: utc, now: start)
        account.holds = [SpendAccount.Hold(id: "a", usd: 1, expires: 1e12)]
        account.settle(holdID: "a", costUSD: .nan)
        account.settle(holdID: "a", costUSD: -1)
        #expect(account.holds.isEmpty)
        #expect(account.dayUSD == 0)
    }

    @Test func dollarsAreToTheCent() {
        #expect(SpendAccount.dollars(5.005) == "$5.01")
        #expect(SpendAccount.dollars(0.07) == "$0.07")
        #expect(SpendAccount.dollars(50) == "$50.00")
        #expect(SpendAccount.dollars(1234.5) == "$1234.50")
    }

    @Test func fileFormatIsSnakeCase() throws {
        var account = SpendAccount(window: utc, now: start)
        account.dayUSD = 1.5
        account.holds = [SpendAccount.Hold(id: "h", usd: 0.5, expires: 1_796_429_400)]
        account.runStarts = [1_796_428_800]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(account), as: UTF8.self)
        #expect(text == #"{"day":"2026-12-05","day_usd":1.5,"holds":[{"expires":1796429400,"id":"h","usd":0.5}],"month":"2026-12","month_usd":0,"run_starts":[1796428800]}"#)
        #expect(try JSONDecoder().decode(SpendAccount.self, from: Data(text.utf8)) == account)
    }
}
