/// What the CLI reported about a run, where it reported anything.
public struct ClaudeReport: Sendable, Equatable {
    public var usage: TokenUsage
    public var costUSD: Double?
    public var exitCode: Int32?
    /// The CLI's `session_id`: the session a kept run can be resumed from.
    public var sessionID: String?

    public init(usage: TokenUsage = .zero, costUSD: Double? = nil, exitCode: Int32? = nil, sessionID: String? = nil) {
        self.sessionID = sessionID
        self.usage = usage
        self.costUSD = costUSD
        self.exitCode = exitCode
    }
}
