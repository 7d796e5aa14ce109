import Glibc

/// The worker's side of the host's warm spare: starts one when none is kept (``ensure()``), tells the
/// runs it fits (``fits(_:)``), and connects to it for such a run, under the run lock (``connect()``).
///
/// Who owns the spare: the worker that started it, through a keeper (``SpareKeeper``) that goes with
/// that worker while the spare waits. Which worker runs a request does not matter: any worker that holds
/// the run lock connects to the spare's socket and hands it the run as it would its own supervisor.
public final class SpareLink: @unchecked Sendable {
    public let settings: WarmSpareSettings
    /// What the spare this worker starts runs, and what a run must start as to take a spare.
    public let spec: ProcessSpec
    let log: @Sendable (String) -> Void

    /// - Parameters:
    ///   - claude: the configured run settings; the spare is the default chat run's claude with them.
    ///   - agent: the default chat run's agent (the agent map's `*` entry).
    public init(settings: WarmSpareSettings, claude: ClaudeSettings, agent: String?, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.spec = SpareCommand.spec(settings: claude, agent: agent)
        self.log = log
    }

    /// Whether `plan`'s run is one the spare serves.
    public func fits(_ plan: RunPlan) -> Bool {
        settings.enabled && SpareCommand.spec(of: plan) == spec
    }

    /// A connection to the host's spare, and the spare's pid; `nil` when none is listening (none is
    /// kept, it is being replaced, or it took a run already).
    func connect() -> (socket: Int32, pid: pid_t)? {
        guard settings.enabled, let socket = UnixSocket.connect(to: settings.socketPath) else { return nil }
        guard let pid = UnixSocket.peerPID(socket) else {
            close(socket)
            return nil
        }
        return (socket, pid)
    }

    /// Starts the host's spare unless one is kept: cheap when one is (an `open` and an `flock` that
    /// fails). Its keeper and it are forked from this worker; a spare that cannot be started says so in
    /// the log and is tried again with backoff, not here.
    public func ensure() {
        guard settings.enabled else { return }
        guard case .success(var lock) = SystemCall.result({ open(settings.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }) else { return }
        defer { Descriptor.close(&lock) }
        guard case .success = SystemCall.result({ flock(lock, LOCK_EX | LOCK_NB) }) else { return }
        do {
            _ = try SupervisorSetup.fork(name: SpareKeeper.processName, keeping: [lock], diesWithWorker: true) { [spec, settings, log] cancel in
                // The spare lock is fd 3.
                var keeper = SpareKeeper(spec: spec, settings: settings, spareLock: 3, cancel: cancel, log: log)
                return keeper.run()
            }
        } catch {
            log("warm spare: \(error)")
        }
    }
}
