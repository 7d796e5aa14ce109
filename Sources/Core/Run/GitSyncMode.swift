/// How the working directory is synced before each run.
public enum GitSyncMode: String, Sendable, CaseIterable {
    /// Never touch the checkout.
    case off
    /// Try; on failure log it and run on the current checkout.
    case bestEffort = "best-effort"
    /// Try; on failure the run fails with "git sync failed: …".
    case required
}
