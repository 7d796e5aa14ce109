import FoundationEssentials
import Glibc

/// The wall clock, behind a protocol so tests can fix it.
public protocol WallClock: Sendable {
    func now() -> Date
}

extension WallClock {
    /// Whole seconds since the Unix epoch.
    public func secondsSinceEpoch() -> Int64 { Int64(now().timeIntervalSince1970) }
    /// Milliseconds since the Unix epoch.
    public func millisecondsSinceEpoch() -> Int64 { Int64((now().timeIntervalSince1970 * 1000).rounded(.down)) }
    /// RFC 3339 UTC, e.g. `2026-11-28T22:05:03Z`.
    public func rfc3339() -> String { RFC3339.format(now()) }
}

/// RFC 3339 UTC time stamps to the second, formatted with `gmtime_r`: the date formatter's first use
/// costs more than half a millisecond, and a supervisor is a fresh process for every run.
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

/// The system's wall clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// Random identifiers, behind a protocol so tests can fix them.
public protocol IDGenerator: Sendable {
    /// A fresh identifier of letters and digits.
    func next() -> String
}

/// 24 random letters and digits from the system's random source.
public struct RandomIDGenerator: IDGenerator {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    public init() {}

    public func next() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in RandomIDGenerator.alphabet.randomElement(using: &generator) ?? "x" })
    }
}
