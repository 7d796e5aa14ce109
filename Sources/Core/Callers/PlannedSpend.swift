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

    /// Gives the hold back, unspent, where the run never started (its record could not be written, its
    /// supervisor not started): the hold would otherwise count against the cap until it expires. Not
    /// checked: a hold that cannot be given back expires all the same.
    public func release(now: Date) {
        try? settle(costUSD: nil, now: now)
    }

    /// What a run that ended as `outcome` is counted at: the cost it reported, else — a run stopped before
    /// the CLI said what it spent (cancelled, timed out) — the most it could have spent, its budget, so
    /// that no run spends past a cap uncounted; `nil` for a run that failed without a cost (it ran nothing
    /// that costs, or cannot be told).
    public func cost(of outcome: ClaudeOutcome) -> Double? {
        if let cost = outcome.report?.costUSD { return cost }
        switch outcome.kind {
        case .cancelled, .timedOut: return hold.budgetUSD
        case .succeeded, .failed: return nil
        }
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
