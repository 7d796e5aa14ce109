import FoundationEssentials
import Glibc
import Synchronization

/// The calendar day and month that a caller's spend is counted in, in one IANA time zone
/// (``CallerSettings/timeZone``, `--budget-time-zone`), by the C library's time zone code and the
/// system's tz database (`/usr/share/zoneinfo`, Debian's tzdata).
///
/// Why not Foundation's `TimeZone`: without FoundationInternationalization it knows only GMT and fixed
/// offsets, and that library (with ICU's data) is dropped from a statically linked worker that names
/// nothing of it. The C library reads the zone from `TZ`, one per process: each use sets it under a
/// lock (a worker uses one zone, so it is read once).
public struct SpendWindow: Sendable {
    /// The zone's IANA name, e.g. `Europe/Berlin`.
    public let timeZoneName: String

    /// Where the tz database is.
    static let zoneDirectory = "/usr/share/zoneinfo"

    /// The windows of the zone named `timeZone`; a name the tz database does not have is refused.
    public init(timeZone name: String) throws(ConfigurationError) {
        let allowed = name.utf8.allSatisfy { $0 < 0x80 && ($0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
                                                       || $0 == UInt8(ascii: "+") || Character(UnicodeScalar($0)).isLetter || Character(UnicodeScalar($0)).isNumber) }
        guard !name.isEmpty, allowed, !name.hasPrefix("/"), !name.contains(".."),
              access("\(Self.zoneDirectory)/\(name)", R_OK) == 0, !FileBytes.isDirectory("\(Self.zoneDirectory)/\(name)") else {
            throw ConfigurationError("unknown time zone '\(OneLine.clean(name, limit: 100))' for the spend windows: give an IANA name of \(Self.zoneDirectory) such as Europe/Berlin or UTC")
        }
        timeZoneName = name
    }

    /// Whether `name` is a time zone the windows can be counted in; for the start-up checks.
    public static func checkTimeZone(_ name: String) throws(ConfigurationError) {
        _ = try SpendWindow(timeZone: name)
    }

    /// The day `date` falls on in the zone, `2026-12-05`: the key of the daily figure.
    public func day(of date: Date) -> String {
        let parts = local(date)
        return "\(four(Int(parts.tm_year) + 1900))-\(two(Int(parts.tm_mon) + 1))-\(two(Int(parts.tm_mday)))"
    }

    /// The month `date` falls in in the zone, `2026-12`: the key of the monthly figure.
    public func month(of date: Date) -> String {
        let parts = local(date)
        return "\(four(Int(parts.tm_year) + 1900))-\(two(Int(parts.tm_mon) + 1))"
    }

    /// When the day of `date` ends (the next day's first instant in the zone): when the daily cap resets.
    public func dayEnd(after date: Date) -> Date {
        var parts = local(date)
        parts.tm_mday += 1
        return start(of: parts, after: date)
    }

    /// When the month of `date` ends: when the monthly cap resets.
    public func monthEnd(after date: Date) -> Date {
        var parts = local(date)
        parts.tm_mon += 1
        parts.tm_mday = 1
        return start(of: parts, after: date)
    }

    /// `date` as RFC 3339 in the zone, to the second: `2026-12-06T00:00:00+01:00` (`Z` at offset 0).
    public func localTime(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let offset = local(date).tm_gmtoff
        let utc = RFC3339.format(Date(timeIntervalSince1970: Double(seconds + offset)))
        guard offset != 0 else { return utc }
        let minutes = abs(offset) / 60
        return "\(utc.dropLast())\(offset < 0 ? "-" : "+")\(two(minutes / 60)):\(two(minutes % 60))"
    }

    /// The zone's broken-down time of `date`.
    private func local(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        inZone { _ = localtime_r(&seconds, &parts) }
        return parts
    }

    /// The first instant of the day `parts` names (normalised by `mktime`); a day after `date` should the
    /// zone's rules leave none (a fallback that keeps a reset time in the future).
    private func start(of parts: tm, after date: Date) -> Date {
        var parts = parts
        parts.tm_hour = 0
        parts.tm_min = 0
        parts.tm_sec = 0
        parts.tm_isdst = -1
        var seconds: time_t = -1
        inZone { seconds = mktime(&parts) }
        let start = Date(timeIntervalSince1970: Double(seconds))
        return seconds == -1 || start <= date ? date.addingTimeInterval(86_400) : start
    }

    /// Runs `body` with the C library's zone set to this one.
    private func inZone(_ body: () -> Void) {
        Self.zoneLock.withLock { current in
            if current != timeZoneName {
                setenv("TZ", ":\(timeZoneName)", 1)
                tzset()
                current = timeZoneName
            }
            body()
        }
    }

    /// The zone the C library was last set to, under the lock that every use of it takes.
    private static let zoneLock = Mutex<String?>(nil)

    private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private func four(_ value: Int) -> String { String(repeating: "0", count: max(0, 4 - String(value).count)) + String(value) }
}
