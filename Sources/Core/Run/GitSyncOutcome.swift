/// What a sync did, for the audit log and the run.
public enum GitSyncOutcome: Equatable, Sendable {
    case off
    /// Not a git checkout, or no upstream to pull from.
    case skipped
    case pulled
    case failed(String)

    /// The word in the audit log.
    public var name: String {
        switch self {
        case .off: "off"
        case .skipped: "skipped"
        case .pulled: "ok"
        case .failed: "failed"
        }
    }
}
