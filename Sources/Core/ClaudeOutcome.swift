/// Token counts as the chat-completions `usage` object reports them.
public struct TokenUsage: Sendable, Equatable {
    /// Input tokens, cache creation and cache reads included.
    public var promptTokens: Int
    public var completionTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    public static let zero = TokenUsage(promptTokens: 0, completionTokens: 0)
}

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

/// How one claude run ended.
public enum ClaudeOutcome: Sendable, Equatable {
    /// The assistant's text.
    case succeeded(text: String, report: ClaudeReport)
    /// Failed; `detail` is one clean line for the client.
    case failed(detail: String, report: ClaudeReport?)
    /// Stopped by the timeout.
    case timedOut(detail: String, report: ClaudeReport?)
    /// Stopped because its requester went away (client hang-up, worker gone, job cancelled).
    case cancelled(report: ClaudeReport?)

    /// The outcome's name in logs and the audit log.
    public var name: String {
        switch self {
        case .succeeded: "ok"
        case .failed: "failed"
        case .timedOut: "timed_out"
        case .cancelled: "cancelled"
        }
    }

    /// What the CLI reported, where it reported anything.
    public var report: ClaudeReport? {
        switch self {
        case .succeeded(_, let report): report
        case .failed(_, let report), .timedOut(_, let report), .cancelled(let report): report
        }
    }
}
