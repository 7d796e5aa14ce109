import FoundationEssentials

/// The last checks of a run, under the run lock, just before it starts: the state directory can take its
/// records (``StateDirectory``), and a caller with a cap or a rate has the room for it — the run's budget
/// is then at most what is left of the cap, held in the caller's account until the run is over
/// (``SpendLedger``), so that no run spends past a cap by more than one run's worth.
public struct RunAdmission: Sendable {
    /// The callers' spend; `nil`: no caller is counted (no keys file).
    let ledger: (any SpendLedger)?
    /// Where the ledger's accounts are and their time zone, for the supervisor that settles a hold.
    let settings: CallerSettings?
    let clock: any WallClock

    public init(ledger: (any SpendLedger)? = nil, settings: CallerSettings? = nil, clock: any WallClock = SystemWallClock()) {
        self.ledger = ledger
        self.settings = settings
        self.clock = clock
    }

    /// Refuses at once a caller whose cap is spent or whose runs per minute are used up, before it waits in
    /// line for the runner (``admit(_:for:)`` decides again under the lock).
    public func precheck(_ caller: Caller) throws(APIError) {
        guard caller.limits.isLimited, let ledger else { return }
        try ledger.check(caller, now: clock.now())
    }

    /// Admits `plan` for `caller`, lowering its budget to what the caller's cap has left; a full or
    /// read-only state directory is a 503, a spent cap or a rate reached a 429.
    public func admit(_ plan: inout RunPlan, for caller: Caller) throws(APIError) {
        try StateDirectory.checkWritable(plan.stateDirectory)  // no run without room for its record and audit line
        guard caller.limits.isLimited, let ledger, let settings else { return }
        let perRun = Double(plan.claude.maxBudgetUSD) ?? 0
        let hold = try ledger.reserve(for: caller, perRunUSD: perRun, holdSeconds: RunWait.hangAllowance(plan), now: clock.now())
        // To the micro-dollar, down: `0.01`, not `0.010000000000000002`. A budget the cap leaves whole stays as
        // configured, word for word: the run's command line is then the warm spare's (``SpareCommand``).
        if hold.budgetUSD < perRun { plan.claude.maxBudgetUSD = NumberText.short((hold.budgetUSD * 1e6).rounded(.down) / 1e6) }
        plan.spend = PlannedSpend(hold: hold, directory: settings.spendDirectory, timeZone: settings.timeZone)
    }
}
