/// The warm spare's configuration (`--warm-spare`, `--warm-spare-max-age`) and where its files are.
public struct WarmSpareSettings: Sendable, Equatable {
    /// Whether a spare is kept at all.
    public var enabled: Bool
    /// Seconds a spare waits before it is replaced by a fresh one (the CLI reads its credentials at start).
    public var maxAgeSeconds: Double
    /// The state directory: its `warm/` holds the spare's lock and socket (mode 0700); its audit log says
    /// when a run went by.
    public var stateDirectory: String

    public init(enabled: Bool, maxAgeSeconds: Double, stateDirectory: String) {
        self.enabled = enabled
        self.maxAgeSeconds = maxAgeSeconds
        self.stateDirectory = stateDirectory
    }

    /// `<state-dir>/warm`.
    public var directory: String { stateDirectory + "/warm" }

    /// Held (`flock`) by the host's spare until its run is over: a worker that gets it starts the next spare.
    public var lockPath: String { directory + "/spare.lock" }
    /// Where the spare listens for the one run it takes.
    public var socketPath: String { directory + "/spare.sock" }

    /// How often a waiting spare looks whether what it read at start changed.
    static let checkSeconds = 1.0
    /// How long a retired spare has to exit after its stdin is closed, before its process group is killed.
    static let retireSeconds = 2.0
}
