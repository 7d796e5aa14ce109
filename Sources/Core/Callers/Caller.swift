/// Who sent a request: the name its key has in the keys file (``defaultName`` for the single token)
/// and what that caller may do. Every run, job and stored response is on a caller's name.
public struct Caller: Sendable, Equatable {
    /// The caller's name: letters, digits, `.`, `_` and `-`, at most ``maxNameLength`` of them.
    public var name: String
    public var limits: CallerLimits

    public init(name: String, limits: CallerLimits = CallerLimits()) {
        self.name = name
        self.limits = limits
    }

    /// The longest name: its metrics series (`claude_fcgi_caller_tokens_total{caller="…",kind="cache_creation"}`)
    /// must fit a slot of the shared counters (``CounterFile``).
    public static let maxNameLength = 40

    /// Whether `name` has a caller name's form, `[A-Za-z0-9._-]{1,40}` (safe as a file name: spend accounts
    /// are named by it).
    public static func isWellFormedName(_ name: String) -> Bool {
        let utf8 = name.utf8
        return (1...maxNameLength).contains(utf8.count) && utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }

    /// The name of the holder of the single token (`--token-file`, `CLAUDE_FCGI_TOKEN`).
    public static let defaultName = "default"

    /// The holder of the single token: the operator's own, as before there were keys: no cap, no
    /// limit, and sees every caller's jobs and responses.
    public static let tokenHolder = Caller(name: defaultName, limits: CallerLimits(isAdmin: true))

    /// Whether this caller may see and cancel what `owner` started (its own, or anything for an admin).
    /// Records written before there were callers have no owner: the token holder's.
    public func mayAccess(ownedBy owner: String?) -> Bool {
        limits.isAdmin || (owner ?? Self.defaultName) == name
    }
}
