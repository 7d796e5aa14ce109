import Dispatch
import FoundationEssentials
import Glibc
import Synchronization
import Testing
@testable import Core

@Suite struct SpendLedgerTests {
    /// 2026-12-05T11:00:00Z: noon in Berlin.
    let berlinNoon = Date(timeIntervalSince1970: 1_796_468_400)
    /// 2026-12-05T22:59:30Z: 23:59:30 in Berlin.
    let beforeBerlinMidnight = Date(timeIntervalSince1970: 1_796_511_570)
    /// 2026-12-31T10:59:00Z: 23:59 on New Year's Eve in Auckland.
    let beforeAucklandNewYear = Date(timeIntervalSince1970: 1_798_714_740)

    let alice = Caller(name: "alice", limits: CallerLimits(dailyUSD: 5, monthlyUSD: 50))

    func withLedger(zone: String = "Europe/Berlin", _ body: (FileSpendLedger, ScratchDirectory) throws -> Void) throws {
        let scratch = ScratchDirectory("spend")
        defer { scratch.remove() }
        try body(FileSpendLedger(directory: "\(scratch.path)/spend", window: try SpendWindow(timeZone: zone)), scratch)
    }

    func account(_ ledger: FileSpendLedger, _ name: String = "alice") throws -> SpendAccount {
        let bytes = try FileBytes.contents(ledger.path(name, "json"), limit: 1 << 20)
        return try JSONDecoder().decode(SpendAccount.self, from: Data(bytes))
    }

    func refusal(_ call: () throws(APIError) -> SpendHold) -> APIError? {
        do throws(APIError) {
            let hold = try call()
            Issue.record("not refused: \(hold)")
            return nil
        } catch {
            return error
        }
    }

    @Test func underTheCapsHoldsTheRunsBudget() throws {
        try withLedger { ledger, _ in
            let hold = try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon)
            #expect(hold.caller == "alice")
            #expect(hold.budgetUSD == 2)
            let stored = try account(ledger)
            #expect(stored.holds.map(\.id) == [hold.id])
            #expect(stored.holds.map(\.usd) == [2])
            #expect(stored.holds.map(\.expires) == [berlinNoon.timeIntervalSince1970 + 600])
            #expect(stored.runStarts == [berlinNoon.timeIntervalSince1970])
            try ledger.settle(hold, costUSD: 4.5, now: berlinNoon)
            // Only $0.50 is left of the day.
            #expect(try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon).budgetUSD == 0.5)
        }
    }

    @Test func aCheckRefusesASpentCapAndWritesNothing() throws {
        try withLedger { ledger, _ in
            try ledger.check(alice, now: berlinNoon)  // no account yet: nothing spent
            let hold = try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon)
            try ledger.settle(hold, costUSD: 5, now: berlinNoon)
            let before = try FileBytes.contents(ledger.path("alice", "json"), limit: 1 << 20)
            var refused: APIError?
            do throws(APIError) { try ledger.check(alice, now: berlinNoon) } catch { refused = error }
            guard case .overQuota(let detail)? = refused else { Issue.record("not refused: \(String(describing: refused))"); return }
            #expect(detail.hasPrefix("daily cap reached: spent $5.00 of $5.00 today (Europe/Berlin)"))
            #expect(try FileBytes.contents(ledger.path("alice", "json"), limit: 1 << 20) == before)
            // The next day it passes again.
            try ledger.check(alice, now: berlinNoon.addingTimeInterval(86_400))
        }
    }

    @Test func theTighterCapSetsTheBudget() throws {
        try withLedger { ledger, _ in
            let caller = Caller(name: "bob", limits: CallerLimits(dailyUSD: 5, monthlyUSD: 3))
            let hold = try ledger.reserve(for: caller, perRunUSD: 4, holdSeconds: 600, now: berlinNoon)
            #expect(hold.budgetUSD == 3)
        }
    }

    @Test func overTheDailyCapIsRefusedWithWhatAndWhen() throws {
        try withLedger { ledger, _ in
            let hold = try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon)
            try ledger.settle(hold, costUSD: 5.01, now: berlinNoon)
            let refused = refusal { () throws(APIError) in try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon) }
            #expect(refused == .overQuota(detail: "daily cap reached: spent $5.01 of $5.00 today (Europe/Berlin); resets 2026-12-06T00:00:00+01:00"))
            #expect(try account(ledger).holds.isEmpty)
            #expect(try account(ledger).runStarts.count == 1)
        }
    }

    @Test func overTheMonthlyCapIsRefusedWithWhatAndWhen() throws {
        try withLedger(zone: "Pacific/Auckland") { ledger, _ in
            let caller = Caller(name: "carol", limits: CallerLimits(dailyUSD: 100, monthlyUSD: 50))
            let hold = try ledger.reserve(for: caller, perRunUSD: 2, holdSeconds: 600, now: beforeAucklandNewYear)
            try ledger.settle(hold, costUSD: 50.2, now: beforeAucklandNewYear)
            let refused = refusal { () throws(APIError) in try ledger.reserve(for: caller, perRunUSD: 2, holdSeconds: 600, now: beforeAucklandNewYear) }
            #expect(refused == .overQuota(detail: "monthly cap reached: spent $50.20 of $50.00 this month (Pacific/Auckland); resets 2027-01-01T00:00:00+13:00"))
        }
    }

    @Test func holdsCountAgainstTheCap() throws {
        try withLedger { ledger, _ in
            let budgets = try (0..<3).map { _ in try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon).budgetUSD }
            #expect(budgets == [2, 2, 1])
            let refused = refusal { () throws(APIError) in try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon) }
            #expect(refused == .overQuota(detail: "daily cap reached: spent $0.00 of $5.00 today and $5.00 held by runs under way (Europe/Berlin); resets 2026-12-06T00:00:00+01:00"))
        }
    }

    @Test func expiredHoldsNoLongerCount() throws {
        try withLedger { ledger, _ in
            _ = try ledger.reserve(for: alice, perRunUSD: 5, holdSeconds: 60, now: berlinNoon)
            #expect(refusal { () throws(APIError) in try ledger.reserve(for: alice, perRunUSD: 5, holdSeconds: 60, now: berlinNoon.addingTimeInterval(59)) } != nil)
            let later = try ledger.reserve(for: alice, perRunUSD: 5, holdSeconds: 60, now: berlinNoon.addingTimeInterval(60))
            #expect(later.budgetUSD == 5)
            #expect(try account(ledger).holds.map(\.id) == [later.id])
        }
    }

    @Test func settleCountsTheCostAndDropsTheHold() throws {
        try withLedger { ledger, _ in
            let first = try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon)
            let second = try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon)
            try ledger.settle(first, costUSD: 0.75, now: berlinNoon.addingTimeInterval(30))
            #expect(try account(ledger).holds.map(\.id) == [second.id])
            #expect(ledger.spent(caller: "alice", now: berlinNoon) == (day: 0.75, month: 0.75))
            try ledger.settle(second, costUSD: nil, now: berlinNoon.addingTimeInterval(30))
            #expect(try account(ledger).holds.isEmpty)
            #expect(ledger.spent(caller: "alice", now: berlinNoon) == (day: 0.75, month: 0.75))
            #expect(ledger.spent(caller: "nobody", now: berlinNoon) == (day: 0, month: 0))
        }
    }

    @Test func aNewDayInTheZoneStartsTheDayAgain() throws {
        try withLedger { ledger, _ in
            let hold = try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: beforeBerlinMidnight)
            try ledger.settle(hold, costUSD: 4.9, now: beforeBerlinMidnight)
            #expect(try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 1, now: beforeBerlinMidnight.addingTimeInterval(10)).budgetUSD.isClose(to: 0.1))
            // 00:00:30 in Berlin, still the 5th in UTC.
            let afterMidnight = beforeBerlinMidnight.addingTimeInterval(60)
            #expect(try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: afterMidnight).budgetUSD == 2)
            #expect(ledger.spent(caller: "alice", now: afterMidnight) == (day: 0, month: 4.9))
            #expect(try account(ledger).day == "2026-12-06")
        }
    }

    @Test func aNewMonthInTheZoneStartsTheMonthAgain() throws {
        try withLedger(zone: "Pacific/Auckland") { ledger, _ in
            let caller = Caller(name: "carol", limits: CallerLimits(monthlyUSD: 50))
            let hold = try ledger.reserve(for: caller, perRunUSD: 2, holdSeconds: 60, now: beforeAucklandNewYear)
            try ledger.settle(hold, costUSD: 49, now: beforeAucklandNewYear)
            #expect(try ledger.reserve(for: caller, perRunUSD: 2, holdSeconds: 1, now: beforeAucklandNewYear).budgetUSD == 1)
            // 00:00:30 on New Year's Day in Auckland; 11:00:30 on the 31st in UTC.
            let newYear = beforeAucklandNewYear.addingTimeInterval(90)
            #expect(try ledger.reserve(for: caller, perRunUSD: 2, holdSeconds: 600, now: newYear).budgetUSD == 2)
            #expect(ledger.spent(caller: "carol", now: newYear) == (day: 0, month: 0))
            #expect(try account(ledger, "carol").month == "2027-01")
        }
    }

    @Test func runsPerMinuteAreLimited() throws {
        try withLedger { ledger, _ in
            let caller = Caller(name: "dave", limits: CallerLimits(runsPerMinute: 2))
            _ = try ledger.reserve(for: caller, perRunUSD: 2, holdSeconds: 600, now: berlinNoon)
            _ = try ledger.reserve(for: caller, perRunUSD: 2, holdSeconds: 600, now: berlinNoon.addingTimeInterval(5))
            let refused = refusal { () throws(APIError) in try ledger.reserve(for: caller, perRunUSD: 2, holdSeconds: 600, now: berlinNoon.addingTimeInterval(15)) }
            #expect(refused == .rateLimited(retryAfterSeconds: 45, detail: "limit of 2 runs per minute reached; the next may start in 45 s"))
            #expect(try ledger.reserve(for: caller, perRunUSD: 2, holdSeconds: 600, now: berlinNoon.addingTimeInterval(60)).budgetUSD == 2)
        }
    }

    @Test func aSpendDirectoryThatCannotBeMadeIsUnwritable() throws {
        try withLedger { _, scratch in
            // A directory under a regular file: ENOTDIR, even for root.
            let file = "\(scratch.path)/plain"
            close(open(file, O_WRONLY | O_CREAT, 0o600))
            let ledger = FileSpendLedger(directory: "\(file)/spend", window: try SpendWindow(timeZone: "UTC"))
            let refused = refusal { () throws(APIError) in try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon) }
            #expect(refused == .stateUnwritable(detail: "cannot open spend lock \(file)/spend/alice.lock: Not a directory"))
        }
    }

    @Test func aFailedWriteLeavesTheOldAccountWhole() throws {
        try withLedger { ledger, _ in
            let hold = try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon)
            let file = ledger.path("alice", "json")
            let before = try FileBytes.contents(file, limit: 1 << 20)
            // The temporary file's place taken by a directory: its open fails (EISDIR), even for root.
            let temporary = "\(ledger.directory)/.alice.json.\(getpid()).tmp"
            #expect(mkdir(temporary, 0o700) == 0)
            defer { rmdir(temporary) }
            let refused = refusal { () throws(APIError) in try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon) }
            #expect(refused == .stateUnwritable(detail: "cannot write spend account \(file): Is a directory"))
            #expect(throws: APIError.stateUnwritable(detail: "cannot write spend account \(file): Is a directory")) {
                try ledger.settle(hold, costUSD: 1, now: berlinNoon)
            }
            #expect(try FileBytes.contents(file, limit: 1 << 20) == before)
        }
    }

    @Test func aMalformedAccountIsNotTakenForAnEmptyOne() throws {
        try withLedger { ledger, _ in
            _ = try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon)
            let file = ledger.path("alice", "json")
            try AtomicFile.write(Array("{\"day\":".utf8), to: file, what: "test")
            let refused = refusal { () throws(APIError) in try ledger.reserve(for: alice, perRunUSD: 2, holdSeconds: 600, now: berlinNoon) }
            guard case .internalFailure(let detail) = refused else { Issue.record("not an internal failure: \(String(describing: refused))"); return }
            #expect(detail.hasPrefix("spend account \(file) is malformed"))
        }
    }

    @Test func namesThatAreNoFileNamesAreRefused() throws {
        try withLedger { ledger, _ in
            for name in ["", "../etc/x", "a/b", String(repeating: "a", count: 65), "ä"] {
                let caller = Caller(name: name, limits: CallerLimits(dailyUSD: 5))
                let refused = refusal { () throws(APIError) in try ledger.reserve(for: caller, perRunUSD: 2, holdSeconds: 600, now: berlinNoon) }
                #expect(refused == .internalFailure(detail: "no spend account for the caller name '\(name)'"))
            }
            #expect(FileBytes.names(inDirectory: ledger.directory).isEmpty)
            #expect(throws: Never.self) {
                try ledger.reserve(for: Caller(name: "A.b_c-9", limits: CallerLimits(dailyUSD: 5)), perRunUSD: 2, holdSeconds: 600, now: berlinNoon)
            }
        }
    }

    @Test func concurrentReservesNeverPassTheCap() throws {
        try withLedger { ledger, _ in
            let caller = Caller(name: "erin", limits: CallerLimits(dailyUSD: 1))
            let budgets = Mutex<[Double]>([])
            let failures = Mutex<[APIError]>([])
            // Each reserve opens the lock file itself: its own open file description, its own flock.
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                for _ in 0..<4 {
                    do throws(APIError) {
                        let hold = try ledger.reserve(for: caller, perRunUSD: 0.3, holdSeconds: 600, now: berlinNoon)
                        budgets.withLock { $0.append(hold.budgetUSD) }
                    } catch {
                        if case .overQuota = error { continue }
                        failures.withLock { $0.append(error) }
                    }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let granted = budgets.withLock { $0 }.sorted()
            #expect(granted.count == 4)
            #expect(granted.reduce(0, +).isClose(to: 1))
            let stored = try account(ledger, "erin")
            #expect(stored.holds.count == 4)
        }
    }
}

extension Double {
    func isClose(to other: Double) -> Bool { abs(self - other) < 1e-9 }
}
