/// The spend held for one run of a caller with a cap or a rate (``SpendLedger/reserve(for:perRunUSD:holdSeconds:now:)``),
/// given back with its cost once the run is over (``SpendLedger/settle(_:costUSD:now:)``).
public struct SpendHold: Sendable, Equatable {
    /// The hold's id in the caller's account.
    public var id: String
    /// The caller's name.
    public var caller: String
    /// The most the run may spend (claude's `--max-budget-usd`): the per-run budget, or less when that
    /// is all a cap has left.
    public var budgetUSD: Double

    public init(id: String, caller: String, budgetUSD: Double) {
        self.id = id
        self.caller = caller
        self.budgetUSD = budgetUSD
    }
}
