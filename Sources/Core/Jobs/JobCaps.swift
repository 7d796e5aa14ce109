/// The caps a job may ask for at most.
public struct JobCaps: Sendable, Equatable {
    public var maxBudgetUSD: Double
    public var timeoutSeconds: Double

    public init(maxBudgetUSD: Double, timeoutSeconds: Double) {
        self.maxBudgetUSD = maxBudgetUSD
        self.timeoutSeconds = timeoutSeconds
    }
}
