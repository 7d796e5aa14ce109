/// The configured git sync: its mode and how long the pull may take.
public struct GitSyncSettings: Sendable, Equatable {
    public var mode: GitSyncMode
    public var timeoutSeconds: Double

    public init(mode: GitSyncMode, timeoutSeconds: Double = 60) {
        self.mode = mode
        self.timeoutSeconds = timeoutSeconds
    }
}
