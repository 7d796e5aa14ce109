/// How the working directory is synced before each run.
public enum GitSyncMode: String, Sendable, CaseIterable {
    /// Never touch the checkout.
    case off
    /// Try; on failure log it and run on the current checkout.
    case bestEffort = "best-effort"
    /// Try; on failure the run fails with "git sync failed: …".
    case required
}

/// The configured git sync: its mode and how long the pull may take.
public struct GitSyncSettings: Sendable, Equatable {
    public var mode: GitSyncMode
    public var timeoutSeconds: Double

    public init(mode: GitSyncMode, timeoutSeconds: Double = 60) {
        self.mode = mode
        self.timeoutSeconds = timeoutSeconds
    }
}
