import FoundationEssentials
import Testing
@testable import Core

@Suite struct SpendWindowTests {
    /// 2026-12-05T22:59:30Z: 23:59:30 in Berlin, still the 5th; 30 s before Berlin's midnight.
    let beforeBerlinMidnight = Date(timeIntervalSince1970: 1_796_511_570)
    /// 2026-12-31T10:59:00Z: 23:59 on New Year's Eve in Auckland (NZDT, +13:00).
    let beforeAucklandNewYear = Date(timeIntervalSince1970: 1_798_714_740)

    @Test func unknownZoneIsRefused() {
        #expect(throws: ConfigurationError.self) { try SpendWindow.checkTimeZone("Mars/Olympus_Mons") }
        #expect(throws: ConfigurationError.self) { try SpendWindow.checkTimeZone("") }
        #expect(throws: Never.self) { try SpendWindow.checkTimeZone("Europe/Berlin") }
        #expect(throws: Never.self) { try SpendWindow.checkTimeZone("UTC") }
    }

    @Test func dayAndMonthAreTheZones() throws {
        let berlin = try SpendWindow(timeZone: "Europe/Berlin")
        #expect(berlin.day(of: beforeBerlinMidnight) == "2026-12-05")
        #expect(berlin.day(of: beforeBerlinMidnight.addingTimeInterval(60)) == "2026-12-06")
        let utc = try SpendWindow(timeZone: "UTC")
        #expect(utc.day(of: beforeBerlinMidnight.addingTimeInterval(60)) == "2026-12-05")
        let auckland = try SpendWindow(timeZone: "Pacific/Auckland")
        #expect(auckland.month(of: beforeAucklandNewYear) == "2026-12")
        #expect(auckland.month(of: beforeAucklandNewYear.addingTimeInterval(120)) == "2027-01")
        #expect(utc.month(of: beforeAucklandNewYear.addingTimeInterval(120)) == "2026-12")
    }

    @Test func resetsAtTheZonesMidnight() throws {
        let berlin = try SpendWindow(timeZone: "Europe/Berlin")
        #expect(berlin.localTime(berlin.dayEnd(after: beforeBerlinMidnight)) == "2026-12-06T00:00:00+01:00")
        #expect(berlin.localTime(berlin.monthEnd(after: beforeBerlinMidnight)) == "2027-01-01T00:00:00+01:00")
        let auckland = try SpendWindow(timeZone: "Pacific/Auckland")
        #expect(auckland.localTime(auckland.monthEnd(after: beforeAucklandNewYear)) == "2027-01-01T00:00:00+13:00")
        let utc = try SpendWindow(timeZone: "UTC")
        #expect(utc.localTime(utc.dayEnd(after: beforeBerlinMidnight)) == "2026-12-06T00:00:00Z")
        let newYork = try SpendWindow(timeZone: "America/New_York")
        #expect(newYork.localTime(newYork.dayEnd(after: beforeBerlinMidnight)) == "2026-12-06T00:00:00-05:00")
    }

    @Test func aDayOfSummerTimeChangeIsItsRealLength() throws {
        // Berlin's clocks go forward at 02:00 on 2026-03-29: that day has 23 hours.
        let berlin = try SpendWindow(timeZone: "Europe/Berlin")
        let noon = Date(timeIntervalSince1970: 1_774_778_400)  // 2026-03-29T10:00:00Z, 12:00 CEST
        #expect(berlin.day(of: noon) == "2026-03-29")
        #expect(berlin.localTime(berlin.dayEnd(after: noon)) == "2026-03-30T00:00:00+02:00")
    }
}
