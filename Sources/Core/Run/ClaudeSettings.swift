/// How claude is run: the executable, where, with what budget, time and environment.
public struct ClaudeSettings: Sendable, Equatable {
    /// The claude executable: a path, or a name looked up on the child's `PATH`.
    public var executable: String
    public var workingDirectory: String
    /// Passed as `--max-budget-usd`, as written in the configuration.
    public var maxBudgetUSD: String
    public var timeoutSeconds: Double
    public var killGraceSeconds: Double
    /// The scrubbed environment (see ``ChildEnvironment``).
    public var environment: [String: String]

    public init(executable: String, workingDirectory: String, maxBudgetUSD: String, timeoutSeconds: Double, killGraceSeconds: Double,
                environment: [String: String]) {
        self.executable = executable
        self.workingDirectory = workingDirectory
        self.maxBudgetUSD = maxBudgetUSD
        self.timeoutSeconds = timeoutSeconds
        self.killGraceSeconds = killGraceSeconds
        self.environment = environment
    }
}
