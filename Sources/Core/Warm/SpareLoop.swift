import Glibc

/// The host's warm spare, in its own process (forked by its keeper, ``SpareKeeper``), while it waits. It
/// listens at the spare socket and keeps one claude started ahead of its prompt (``SpareCommand``);
/// replaces it when what it read at start changed (``SpareFingerprint``, looked at every second), when it
/// reached `--warm-spare-max-age`, or when it ended by itself (then after ``SpareBackoff``'s delay). Sent
/// nothing, the waiting claude costs nothing: it makes no API request before its first input line.
///
/// The first worker that connects hands it a run (``SpareRun``), and it exits after that run. It exits at
/// once — no longer listening, then its claude retired — when its keeper is gone or says its worker is
/// (`Q`), or when it is told to stop.
struct SpareLoop {
    let spec: ProcessSpec
    let settings: WarmSpareSettings
    private var listener: Int32
    /// The socket to the keeper.
    let keeper: Int32
    private let spareLock: Int32
    let cancel: CancelSignal
    let log: (String) -> Void

    private var spare: StartedProcess?
    /// What the spare read at start, taken just before it started.
    private var fingerprint: SpareFingerprint?
    private var startedAt = 0.0
    private var nextStart = 0.0
    private var backoff = SpareBackoff()
    /// The settings files with `SessionStart` hooks found at the last start (said once in the log).
    private var refusedFor: [String] = []

    /// What `ps` shows for a spare.
    static let processName = "claude-fcgi-spr"

    /// The spare process's life: listens, then keeps a claude waiting until a run or the end. Returns its exit code.
    static func serve(spec: ProcessSpec, settings: WarmSpareSettings, spareLock: Int32, keeper: Int32, cancel: CancelSignal,
                      log: @escaping (String) -> Void) -> Int32 {
        let listener: Int32
        do {
            listener = try UnixSocket.listen(at: settings.socketPath)
        } catch {
            log("warm spare: \(error); no spare for \(NumberText.short(SpareBackoff.maxDelaySeconds)) s")
            SpareKeeper.holdOff(cancel: cancel.descriptor, keeper: keeper)
            return 70
        }
        var loop = SpareLoop(spec: spec, settings: settings, listener: listener, keeper: keeper, spareLock: spareLock, cancel: cancel, log: log)
        return loop.run()
    }

    private init(spec: ProcessSpec, settings: WarmSpareSettings, listener: Int32, keeper: Int32, spareLock: Int32, cancel: CancelSignal,
                 log: @escaping (String) -> Void) {
        self.spec = spec
        self.settings = settings
        self.listener = listener
        self.keeper = keeper
        self.spareLock = spareLock
        self.cancel = cancel
        self.log = log
    }

    private mutating func run() -> Int32 {
        var nextCheck = Monotonic.now() + WarmSpareSettings.checkSeconds
        // A run that went by appends to the audit log: looked at then, not a second later (the next run may come at once).
        var runsGoingBy = DirectoryWatch.descriptor(settings.stateDirectory, events: Int32(IN_MODIFY | IN_CREATE | IN_MOVED_TO))
        defer { Descriptor.close(&runsGoingBy) }
        var events = [UInt8](repeating: 0, count: 4096)
        while true {
            if spare == nil && Monotonic.now() >= nextStart { start() }
            var set = PollSet()
            set.watch(runsGoingBy, for: .readable)
            set.watch(listener, for: .readable)
            set.watch(cancel.descriptor, for: .readable)
            set.watch(keeper, for: [.readable, .peerClosed])
            for fd in spare?.watched ?? [] { set.watch(fd, for: .readable) }
            let wake = min(nextCheck, spare == nil ? nextStart : startedAt + settings.maxAgeSeconds)
            let ready: PollSet.Ready
            do {
                ready = try set.wait(seconds: max(0, wake - Monotonic.now()))
            } catch {
                log("warm spare: \(error)")
                stopListening()
                retire()
                return 71
            }
            // Its keeper says its worker is gone (`Q`), or is gone itself (end of file): no more runs.
            if ready.contains(cancel.descriptor) || ready.contains(keeper) {
                stopListening()
                retire()
                return 0
            }
            if let waiting = spare, waiting.watched.contains(where: { ready.contains($0) }) {
                endedByItself()
                continue
            }
            if ready.contains(listener), let connection = UnixSocket.accept(listener) {
                // One run only: no second worker can connect from now on.
                stopListening()
                let waiting = spare
                spare = nil
                var run = SpareRun(spec: spec, spare: waiting, fingerprint: fingerprint, look: { [self] in look() }, keeper: keeper,
                                   spareLock: spareLock, cancel: cancel, log: log)
                run.take(connection)
                return 0
            }
            if ready.contains(runsGoingBy) {
                DirectoryWatch.drain(runsGoingBy, using: &events)
                nextCheck = 0
            }
            let now = Monotonic.now()
            if spare != nil && now >= startedAt + settings.maxAgeSeconds {
                retire()
                backoff.reset()
                nextStart = now
            } else if now >= nextCheck {
                nextCheck = now + WarmSpareSettings.checkSeconds
                if let waiting = spare, !waiting.isWaiting {
                    endedByItself()  // exited with its stdout held open by a child of its own
                } else if spare != nil, let fingerprint, let change = fingerprint.change(to: look()) {
                    log("warm spare replaced: \(change) changed since it started")
                    retire()
                    backoff.reset()
                    nextStart = now
                }
            }
        }
    }

    /// What the spare's claude reads at start, and the audit log (a run that went by).
    private func look() -> SpareFingerprint {
        .take(spec, alsoWatching: [AuditLog(stateDirectory: settings.stateDirectory).path])
    }

    /// Starts a claude to wait for a run; one that cannot be started is tried again after the backoff's
    /// delay. None is started while settings give claude `SessionStart` hooks (looked at again each second).
    private mutating func start() {
        fingerprint = look()
        startedAt = Monotonic.now()
        let hooks = SessionStartHooks.files(for: spec)
        if hooks != refusedFor {
            if !hooks.isEmpty {
                log("warm spare: none kept while \(hooks.joined(separator: ", ")) give claude SessionStart hooks, which the CLI runs "
                    + "as it starts: a spare would run them outside the run lock; runs start cold")
            }
            refusedFor = hooks
        }
        guard hooks.isEmpty else {
            nextStart = startedAt + WarmSpareSettings.checkSeconds
            return
        }
        do {
            spare = try PosixProcessLauncher().start(spec)
        } catch {
            let delay = backoff.ended(afterSeconds: 0)
            nextStart = Monotonic.now() + delay
            log("warm spare: cannot start claude: \(error); next try in \(NumberText.short(delay)) s")
        }
    }

    /// The waiting claude wrote something or exited by itself: it is ended, and replaced after the backoff's delay.
    private mutating func endedByItself() {
        guard var ended = spare else { return }
        spare = nil
        let lived = Monotonic.now() - startedAt
        let result = ended.retire(within: WarmSpareSettings.retireSeconds)
        ProcessControl.killAllDescendants()
        let delay = backoff.ended(afterSeconds: lived)
        nextStart = Monotonic.now() + delay
        let said = OneLine.clean(String(decoding: result.stderr.suffix(300), as: UTF8.self), limit: 300)
        log("warm spare: claude ended by itself after \(NumberText.short((lived * 10).rounded() / 10)) s (\(result.termination))"
            + (said.isEmpty ? "" : ": \(said)") + "; next in \(NumberText.short(delay)) s")
    }

    /// Retires the waiting claude, if any: its stdin closed, it exits having sent nothing; whatever it
    /// started in a session of its own (a subreaper's orphans come here) goes with it.
    private mutating func retire() {
        guard var waiting = spare else { return }
        spare = nil
        waiting.retire(within: WarmSpareSettings.retireSeconds)
        ProcessControl.killAllDescendants()
    }

    /// Stops taking connections, before anything slower: a worker that connected to a spare on its way out
    /// would hand it a run it never runs. Nobody else binds the path while the spare lock is held.
    private mutating func stopListening() {
        guard listener >= 0 else { return }
        unlink(settings.socketPath)
        Descriptor.close(&listener)
    }
}
