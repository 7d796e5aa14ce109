/// The waiting line for the runner (`--queue-wait`, `--queue-length`, `--queue-per-caller`).
public struct QueueSettings: Sendable, Equatable {
    /// Seconds a request waits its turn before the busy answer; 0: busy at once (no line).
    public var waitSeconds: Double
    /// Most requests in line.
    public var length: Int
    /// Most places in line one caller may hold.
    public var perCaller: Int

    public init(waitSeconds: Double = 0, length: Int = 16, perCaller: Int = 8) {
        self.waitSeconds = waitSeconds
        self.length = length
        self.perCaller = perCaller
    }

    /// Whether requests wait at all.
    public var isOn: Bool { waitSeconds > 0 }

    /// No line: busy answered at once, as the original service did.
    public static let off = QueueSettings()
}
