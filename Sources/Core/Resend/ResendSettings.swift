/// How re-sent requests are answered without a second run (`--resend-window`, `--resend-grace`,
/// `--resend-max-answers`, `--resend-store-max-mb`).
public struct ResendSettings: Sendable, Equatable {
    /// Seconds an answer is kept for its re-send after the run.
    public var windowSeconds: Int
    /// Seconds a re-sendable run goes on after its client hung up, for the re-send to attach.
    public var graceSeconds: Double
    /// Most answers kept.
    public var maxAnswers: Int
    /// Most bytes the kept answers take together.
    public var maxBytes: Int64

    public init(windowSeconds: Int = 600, graceSeconds: Double = 20, maxAnswers: Int = 1000, maxBytes: Int64 = 256 << 20) {
        self.windowSeconds = windowSeconds
        self.graceSeconds = graceSeconds
        self.maxAnswers = maxAnswers
        self.maxBytes = maxBytes
    }
}
