import FoundationEssentials
// TimeZone(identifier:) finds named zones only with the ICU data of FoundationInternationalization;
// FoundationEssentials alone knows GMT and fixed offsets.
import FoundationInternationalization

/// The calendar day and month that a caller's spend is counted in, in one IANA time zone
/// (``CallerSettings/timeZone``, `--budget-time-zone`).
public struct SpendWindow: Sendable {
    /// The zone's IANA name, e.g. `Europe/Berlin`.
    public let timeZoneName: String
    private let zone: TimeZone
    private let calendar: Calendar

    /// The windows of the zone named `timeZone`; an unknown name is refused.
    public init(timeZone name: String) throws(ConfigurationError) {
        guard let zone = TimeZone(identifier: name) else {
            throw ConfigurationError("unknown time zone '\(name)' for the spend windows: give an IANA name such as Europe/Berlin")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.timeZoneName = name
        self.zone = zone
        self.calendar = calendar
    }

    /// Whether `name` is a time zone the windows can be counted in; for the start-up checks.
    public static func checkTimeZone(_ name: String) throws(ConfigurationError) {
        _ = try SpendWindow(timeZone: name)
    }

    /// The day `date` falls on in the zone, `2026-12-05`: the key of the daily figure.
    public func day(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(four(parts.year ?? 0))-\(two(parts.month ?? 0))-\(two(parts.day ?? 0))"
    }

    /// The month `date` falls in in the zone, `2026-12`: the key of the monthly figure.
    public func month(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month], from: date)
        return "\(four(parts.year ?? 0))-\(two(parts.month ?? 0))"
    }

    /// When the day of `date` ends (the next day's first instant in the zone): when the daily cap resets.
    public func dayEnd(after date: Date) -> Date {
        end(of: .day, for: date)
    }

    /// When the month of `date` ends: when the monthly cap resets.
    public func monthEnd(after date: Date) -> Date {
        end(of: .month, for: date)
    }

    /// `date` as RFC 3339 in the zone, to the second: `2026-12-06T00:00:00+01:00` (`Z` at offset 0).
    public func localTime(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let offset = zone.secondsFromGMT(for: date)
        let utc = RFC3339.format(Date(timeIntervalSince1970: Double(seconds + offset)))
        guard offset != 0 else { return utc }
        let minutes = abs(offset) / 60
        return "\(utc.dropLast())\(offset < 0 ? "-" : "+")\(two(minutes / 60)):\(two(minutes % 60))"
    }

    private func end(of component: Calendar.Component, for date: Date) -> Date {
        // The interval is there for every date of the Gregorian calendar; a day is the fallback that
        // keeps a reset time in the future.
        calendar.dateInterval(of: component, for: date)?.end ?? date.addingTimeInterval(86_400)
    }

    private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private func four(_ value: Int) -> String { String(repeating: "0", count: max(0, 4 - String(value).count)) + String(value) }
}
