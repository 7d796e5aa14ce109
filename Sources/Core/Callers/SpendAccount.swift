import FoundationEssentials

/// One caller's spend: the content of `<spend dir>/<caller>.json`, and the rules that change it.
///
/// `{"day": "2026-12-05", "day_usd": 1.5, "month": "2026-12", "month_usd": 12.25,
///   "holds": [{"id": "…", "usd": 0.5, "expires": 1796500000}], "run_starts": [1796499400.5]}`
/// (times in seconds since the Unix epoch). The figures are those of the named day and month of the
/// ledger's time zone; a later day or month starts again at 0.
public struct SpendAccount: Codable, Equatable, Sendable {
    /// Spend held for a run under way, counted as spent until it is settled or expires.
    public struct Hold: Codable, Equatable, Sendable {
        public var id: String
        public var usd: Double
        /// Seconds since the epoch after which the hold no longer counts (its run is long gone).
        public var expires: Double
    }

    /// The day of ``dayUSD``, `2026-12-05`.
    public var day: String
    /// Spent on the day, by settled runs.
    public var dayUSD: Double
    /// The month of ``monthUSD``, `2026-12`.
    public var month: String
    /// Spent in the month, by settled runs.
    public var monthUSD: Double
    public var holds: [Hold]
    /// When the runs of the last 60 seconds started (seconds since the epoch).
    public var runStarts: [Double]

    enum CodingKeys: String, CodingKey {
        case day, dayUSD = "day_usd", month, monthUSD = "month_usd", holds, runStarts = "run_starts"
    }

    /// The window runs starts are counted in for the runs-per-minute limit.
    static let rateSeconds = 60.0

    /// An account with nothing spent, in the day and month of `now`.
    public init(window: SpendWindow, now: Date) {
        day = window.day(of: now)
        dayUSD = 0
        month = window.month(of: now)
        monthUSD = 0
        holds = []
        runStarts = []
    }

    /// What live holds keep back.
    public var heldUSD: Double { holds.reduce(0) { $0 + $1.usd } }

    /// Brings the account to `now`: a later day or month starts at 0, expired holds and run starts
    /// older than a minute are dropped. A clock set back keeps the later figures (they are not spent
    /// again).
    public mutating func roll(to now: Date, in window: SpendWindow) {
        let today = window.day(of: now), thisMonth = window.month(of: now)
        // The keys are zero-padded dates, so their order is the calendar's.
        if today > day { (day, dayUSD) = (today, 0) }
        if thisMonth > month { (month, monthUSD) = (thisMonth, 0) }
        let seconds = now.timeIntervalSince1970
        holds.removeAll { $0.expires <= seconds }
        runStarts.removeAll { seconds - $0 >= Self.rateSeconds }
    }

    /// Holds spend for a run starting at `now` and counts its start; the account must be rolled to
    /// `now` (``roll(to:in:)``). Returns the run's budget; throws, changing nothing, when a cap of
    /// `limits` is spent or its runs per minute are used up.
    public mutating func reserve(id: String, limits: CallerLimits, perRunUSD: Double, holdSeconds: Double,
                                 now: Date, window: SpendWindow) throws(APIError) -> Double {
        let held = heldUSD
        var budget = perRunUSD
        for (cap, spent, isDay) in [(limits.dailyUSD, dayUSD, true), (limits.monthlyUSD, monthUSD, false)] {
            guard let cap else { continue }
            if spent + held >= cap {
                throw .overQuota(detail: Self.capReached(isDay: isDay, spent: spent, held: held, cap: cap, now: now, window: window))
            }
            budget = min(budget, cap - spent - held)
        }
        if let rate = limits.runsPerMinute, runStarts.count >= rate {
            let wait = retryAfter(rate: rate, now: now)
            throw .rateLimited(retryAfterSeconds: wait, detail: "limit of \(rate) runs per minute reached; the next may start in \(wait) s")
        }
        let seconds = now.timeIntervalSince1970
        holds.append(Hold(id: id, usd: budget, expires: seconds + holdSeconds))
        runStarts.append(seconds)
        return budget
    }

    /// Drops the hold `id` (gone already if it expired) and adds `costUSD` to the day and month; the
    /// account must be rolled to the time of the cost.
    public mutating func settle(holdID id: String, costUSD: Double?) {
        holds.removeAll { $0.id == id }
        guard let costUSD, costUSD.isFinite, costUSD > 0 else { return }
        dayUSD += costUSD
        monthUSD += costUSD
    }

    /// Whole seconds, at least 1, until one of the last minute's starts is a minute old and leaves
    /// fewer than `rate` of them.
    private func retryAfter(rate: Int, now: Date) -> Int {
        let starts = runStarts.sorted()
        let index = starts.count - max(rate, 1)
        guard starts.indices.contains(index) else { return Int(Self.rateSeconds) }
        let wait = starts[index] + Self.rateSeconds - now.timeIntervalSince1970
        return max(1, Int(wait.rounded(.up)))
    }

    /// `daily cap reached: spent $5.01 of $5.00 today (Europe/Berlin); resets 2026-12-06T00:00:00+01:00`.
    static func capReached(isDay: Bool, spent: Double, held: Double, cap: Double, now: Date, window: SpendWindow) -> String {
        let heldText = held > 0 ? " and \(dollars(held)) held by runs under way" : ""
        let reset = isDay ? window.dayEnd(after: now) : window.monthEnd(after: now)
        return "\(isDay ? "daily" : "monthly") cap reached: spent \(dollars(spent)) of \(dollars(cap)) \(isDay ? "today" : "this month")"
            + "\(heldText) (\(window.timeZoneName)); resets \(window.localTime(reset))"
    }

    /// `$5.01`: to the cent.
    /// `usd` to the cent, `$5.00`; what every message about spend shows.
    public static func dollars(_ usd: Double) -> String {
        let cents = Int((max(0, usd) * 100).rounded())
        let rest = cents % 100
        return "$\(cents / 100).\(rest < 10 ? "0" : "")\(rest)"
    }
}
