import FoundationEssentials

/// Where the callers' spend is counted, so that their caps hold across workers, restarts and (with
/// a shared directory) the hosts of a fleet.
public protocol SpendLedger: Sendable {
    /// Holds spend for a run of `caller` about to start (under the run lock, for a caller whose
    /// ``CallerLimits/isLimited``), and counts the run's start against its runs per minute.
    /// - Returns: the hold, whose budget is `perRunUSD`, or what is left of the tightest cap when that
    ///   is less (live holds count as spent).
    /// - Throws: ``APIError/overQuota(detail:)`` when a cap is spent (what was spent and held reaches
    ///   it), ``APIError/rateLimited(retryAfterSeconds:detail:)`` when the caller started its most runs
    ///   of the last 60 seconds, ``APIError/stateUnwritable(detail:)`` when its account cannot be written.
    ///   Nothing is held then.
    /// - Parameter holdSeconds: how long the hold counts if it is never settled (a run killed with its
    ///   supervisor): longer than the longest run.
    func reserve(for caller: Caller, perRunUSD: Double, holdSeconds: Double, now: Date) throws(APIError) -> SpendHold

    /// Gives back `hold` and adds the run's cost to the day and month of `now` (`nil`: no cost known,
    /// the hold is dropped alone).
    func settle(_ hold: SpendHold, costUSD: Double?, now: Date) throws(APIError)

    /// Throws what ``reserve(for:perRunUSD:holdSeconds:now:)`` would throw now for a cap or the rate,
    /// holding and writing nothing: a request about to wait in line for the runner is refused at once
    /// rather than after its wait. (The reserve under the lock still decides.)
    func check(_ caller: Caller, now: Date) throws(APIError)

    /// What `caller` has spent (settled runs) in the day and month of `now`.
    func spent(caller: String, now: Date) -> (day: Double, month: Double)
}
