/// What one caller may do and spend (the keys file's entry, without its key).
public struct CallerLimits: Sendable, Equatable {
    /// Most USD spent per calendar day of ``CallerSettings/timeZone``; `nil`: no cap.
    public var dailyUSD: Double?
    /// Most USD spent per calendar month; `nil`: no cap.
    public var monthlyUSD: Double?
    /// Most runs started in any 60 seconds; `nil`: no limit.
    public var runsPerMinute: Int?
    /// The models (or agents) it may ask for; `nil`: every one.
    public var models: [String]?
    /// Whether it may use `/execute`.
    public var mayExecute: Bool
    /// Whether it sees and cancels every caller's jobs and responses.
    public var isAdmin: Bool

    public init(dailyUSD: Double? = nil, monthlyUSD: Double? = nil, runsPerMinute: Int? = nil, models: [String]? = nil,
                mayExecute: Bool = true, isAdmin: Bool = false) {
        self.dailyUSD = dailyUSD
        self.monthlyUSD = monthlyUSD
        self.runsPerMinute = runsPerMinute
        self.models = models
        self.mayExecute = mayExecute
        self.isAdmin = isAdmin
    }

    /// Whether spend has to be counted before its runs (a cap or a rate to hold).
    public var isLimited: Bool { dailyUSD != nil || monthlyUSD != nil || runsPerMinute != nil }

    /// Whether a run of `model` with `agent` is allowed: the list names either.
    public func allows(model: String, agent: String?) -> Bool {
        guard let models else { return true }
        return models.contains(model) || agent.map(models.contains) == true
    }
}
