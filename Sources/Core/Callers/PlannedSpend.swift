import FoundationEssentials

/// The spend a run holds in its caller's account, and where that account is: the run's supervisor gives
/// the hold back with the run's cost once the run is over (``RunSupervisor``).
public struct PlannedSpend: Sendable, Equatable {
    public var hold: SpendHold
    /// The spend directory (``CallerSettings/spendDirectory``).
    public var directory: String
    /// The time zone of the spend windows (``CallerSettings/timeZone``).
    public var timeZone: String

    public init(hold: SpendHold, directory: String, timeZone: String) {
        self.hold = hold
        self.directory = directory
        self.timeZone = timeZone
    }

    /// Gives the hold back with what the run cost (`nil`: not reported; only the hold goes).
    public func settle(costUSD: Double?, now: Date) throws(APIError) {
        let window: SpendWindow
        do {
            window = try SpendWindow(timeZone: timeZone)
        } catch {
            throw .internalFailure(detail: error.description)
        }
        try FileSpendLedger(directory: directory, window: window).settle(hold, costUSD: costUSD, now: now)
    }
}
