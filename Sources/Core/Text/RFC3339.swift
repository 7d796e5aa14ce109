import FoundationEssentials
import Glibc

/// RFC 3339 UTC time stamps to the second, formatted with `gmtime_r`: the date formatter's first use
/// costs more than half a millisecond.
public enum RFC3339 {
    public static func format(_ date: Date) -> String {
        format(secondsSinceEpoch: time_t(date.timeIntervalSince1970.rounded(.down)))
    }

    public static func format(secondsSinceEpoch: time_t) -> String {
        var parts = tm()
        var seconds = secondsSinceEpoch
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
