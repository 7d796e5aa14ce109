/// How long a process may run and how much of its output is kept.
public struct ProcessLimits: Sendable, Equatable {
    /// Seconds from start until SIGTERM is sent to the process group.
    public var timeoutSeconds: Double
    /// Seconds between SIGTERM and SIGKILL.
    public var killGraceSeconds: Double
    /// Stdout beyond this many bytes is read and dropped.
    public var maxStdoutBytes: Int
    /// Only the last this many bytes of stderr are kept.
    public var stderrTailBytes: Int

    public init(timeoutSeconds: Double, killGraceSeconds: Double = 5, maxStdoutBytes: Int = 32 << 20, stderrTailBytes: Int = 64 << 10) {
        self.timeoutSeconds = timeoutSeconds
        self.killGraceSeconds = killGraceSeconds
        self.maxStdoutBytes = maxStdoutBytes
        self.stderrTailBytes = stderrTailBytes
    }
}
