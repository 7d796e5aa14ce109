/// What the CLI reported about a run, where it reported anything.
public struct ClaudeReport: Sendable, Equatable {
    public var usage: TokenUsage
    public var costUSD: Double?
    public var exitCode: Int32?

    public init(usage: TokenUsage = .zero, costUSD: Double? = nil, exitCode: Int32? = nil) {
        self.usage = usage
        self.costUSD = costUSD
        self.exitCode = exitCode
    }
}
