import FoundationEssentials

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

/// The system's wall clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
