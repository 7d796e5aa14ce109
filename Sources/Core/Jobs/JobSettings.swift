/// Settings of the `/execute` job API.
public struct JobSettings: Sendable {
    /// What a job may ask for at most; also its default.
    public var caps: JobCaps
    /// The agent of a job that names none; `nil` runs plain claude.
    public var defaultAgent: String?
    public var maxAgeSeconds: Int64
    public var maxCount: Int
    /// How long a DELETE waits for the cancelled job to record its end.
    public var cancelWaitSeconds: Double

    public init(caps: JobCaps, defaultAgent: String?, maxAgeSeconds: Int64 = 30 * 86_400, maxCount: Int = 10_000,
                cancelWaitSeconds: Double = 10) {
        self.caps = caps
        self.defaultAgent = defaultAgent
        self.maxAgeSeconds = maxAgeSeconds
        self.maxCount = maxCount
        self.cancelWaitSeconds = cancelWaitSeconds
    }
}
