/// A validated `POST /execute` body.
public struct ExecuteRequest: Equatable, Sendable {
    public var prompt: String
    /// `nil` means the configured default agent.
    public var agent: String?
    /// The run's budget; `nil` means the configured cap.
    public var maxBudgetUSD: Double?
    /// The run's timeout in seconds; `nil` means the configured cap.
    public var timeoutSeconds: Double?
}
