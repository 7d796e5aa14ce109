import Glibc

/// The host's warm spare, in its own process (forked by its keeper, ``SpareKeeper``). It listens at
/// the spare socket and keeps one claude started ahead of its prompt (``SpareCommand``); replaces it
/// when what it read at start changed (``SpareFingerprint``, looked at every second), when it reached
/// `--warm-spare-max-age`, or when it ended by itself (then after ``SpareBackoff``'s delay). Sent
/// nothing, the waiting claude costs nothing: it makes no API request before its first input line.
///
/// It takes one run, the first worker that connects's: from then on it is that run's supervisor just as a
/// worker's own (``SupervisorLoop``) — the same order, run lock and events on the connection, whose end
/// of file cancels the run — with the waiting claude as the run's when it still fits (``SpareLauncher``).
/// It lets the spare lock go once the run's processes are gone, so that the next spare can start, and
/// exits after the run; or at once, its claude retired, when its keeper is gone or it is told to stop.
struct SpareLoop {
    let spec: ProcessSpec
    let settings: WarmSpareSettings
    private var listener: Int32
    /// The socket to the keeper.
    let keeper: Int32
    private var spareLock: Int32
    let cancel: CancelSignal
    let log: (String) -> Void

    private var spare: StartedProcess?
    /// What the spare read at start, taken just before it started.
    private var fingerprint: SpareFingerprint?
    private var startedAt = 0.0
    private var nextStart = 0.0
    private var backoff = SpareBackoff()

    /// What `ps` shows for a spare.
    static let processName = "claude-fcgi-spr"

    /// The spare process's life: listens, then keeps a claude waiting until a run or the end. Returns its exit code.
    static func serve(spec: ProcessSpec, settings: WarmSpareSettings, spareLock: Int32, keeper: Int32, cancel: CancelSignal,
                      log: @escaping (String) -> Void) -> Int32 {
        let listener: Int32
        do {
            listener = try UnixSocket.listen(at: settings.socketPath)
        } catch {
            // Holding the spare lock a while keeps the workers from starting another spare that fails the same way at once.
            log("warm spare: \(error); no spare for \(NumberText.short(SpareBackoff.maxDelaySeconds)) s")
            var set = PollSet()
            set.watch(cancel.descriptor, for: .readable)
            set.watch(keeper, for: [.readable, .peerClosed])
            _ = try? set.wait(seconds: SpareBackoff.maxDelaySeconds)
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
        while true {
            if spare == nil && Monotonic.now() >= nextStart { start() }
            var set = PollSet()
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
                retire()
                return 71
            }
            if ready.contains(cancel.descriptor) || ready.contains(keeper) {
                retire()
                return 0
            }
            if let waiting = spare, waiting.watched.contains(where: { ready.contains($0) }) {
                endedByItself()
                continue
            }
            if ready.contains(listener), let connection = UnixSocket.accept(listener) {
                take(connection)
                return 0
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
                } else if spare != nil, let fingerprint, let change = fingerprint.change(to: .take(spec)) {
                    log("warm spare replaced: \(change) changed since it started")
                    retire()
                    backoff.reset()
                    nextStart = now
                }
            }
        }
    }

    /// Starts a claude to wait for a run; one that cannot be started is tried again after the backoff's delay.
    private mutating func start() {
        fingerprint = .take(spec)
        startedAt = Monotonic.now()
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
        let delay = backoff.ended(afterSeconds: lived)
        nextStart = Monotonic.now() + delay
        let said = OneLine.clean(String(decoding: result.stderr.suffix(300), as: UTF8.self), limit: 300)
        log("warm spare: claude ended by itself after \(NumberText.short((lived * 10).rounded() / 10)) s (\(result.termination))"
            + (said.isEmpty ? "" : ": \(said)") + "; next in \(NumberText.short(delay)) s")
    }

    /// Retires the waiting claude, if any: its stdin closed, it exits having sent nothing.
    private mutating func retire() {
        guard var waiting = spare else { return }
        spare = nil
        waiting.retire(within: WarmSpareSettings.retireSeconds)
    }

    /// Takes the run a worker hands over on `connection` and supervises it to its end.
    private mutating func take(_ connection: Int32) {
        var connection = connection
        defer { Descriptor.close(&connection) }
        // One run only: no second worker can connect from now on. Nobody else binds the path while the spare lock is held.
        Descriptor.close(&listener)
        unlink(settings.socketPath)
        guard let (order, lock) = receiveOrder(on: connection) else {
            retire()
            return
        }
        var runLock = lock
        // The keeper holds a copy of the lock until whatever this run leaves is gone, should this process be killed.
        if (try? SocketPair.send([UInt8(ascii: "T")], descriptor: runLock, on: keeper)) == nil {
            log("warm spare: its keeper is gone; the run goes on")
        }
        var plan = order.plan
        if let warm = SpareCommand.startedAhead(plan), SpareCommand.spec(of: plan) == spec { plan = warm }
        let fingerprint = self.fingerprint
        let launcher = SpareLauncher(spare: spare, spareSpec: spec, staleness: { [spec] started in
            if !started.isWaiting { return "its claude is no longer waiting" }
            if let change = fingerprint?.change(to: .take(spec)) { return "\(change) changed since it started" }
            return nil
        }, log: log)
        spare = nil
        var spareLock = self.spareLock
        var released = false
        let keeper = self.keeper
        let supervisor = RunSupervisor(
            plan: plan, launcher: launcher, store: FileJobStore(directory: RunSettings.jobsDirectory(in: plan.stateDirectory)),
            clock: SystemWallClock(), send: { [connection] in Descriptor.writeAll(connection, RunEventCodec.encode($0)) }, log: log,
            endLeftovers: { ProcessControl.killAllDescendants() },
            releaseLock: {
                guard !released else { return }
                released = true
                Descriptor.close(&runLock)
                Self.keeperLetsGo(keeper)
                // The run is over: the next spare may start.
                Descriptor.close(&spareLock)
            },
            startedAhead: { launcher.usedSpare })
        _ = supervisor.run(cancelOn: [cancel.descriptor, connection])
        launcher.retireUnused()
    }

    /// Reads the one order a worker sends on `connection`, with the run lock riding on it; `nil` (the
    /// worker told why when it can still hear) when none comes whole within a few seconds.
    private func receiveOrder(on connection: Int32) -> (RunOrder, Int32)? {
        var frames = Frames.Reader()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var lock: Int32 = -1
        let deadline = Monotonic.now() + Self.orderSeconds
        while Monotonic.now() < deadline {
            var set = PollSet()
            set.watch(connection, for: .readable)
            set.watch(cancel.descriptor, for: .readable)
            guard let ready = try? set.wait(seconds: deadline - Monotonic.now()), !ready.contains(cancel.descriptor) else { break }
            guard ready.contains(connection) else { continue }
            let (count, descriptor) = SocketPair.receive(on: connection, into: &buffer)
            if let descriptor {
                Descriptor.close(&lock)
                lock = descriptor
            }
            guard count > 0 else { break }
            buffer.withUnsafeBytes { frames.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            guard let frame = frames.next() else { continue }
            if case .success(let frame) = frame, let order = RunOrder.decode(kind: frame.kind, payload: frame.payload), lock >= 0 {
                return (order, lock)
            }
            break
        }
        Descriptor.close(&lock)
        let detail = "the warm spare could not read the run it was given"
        log(detail)
        _ = Descriptor.writeAll(connection, RunEventCodec.encode(.failure(.failed, detail: detail, report: nil)))
        return nil
    }

    /// Seconds the spare waits for the order of a worker that connected (it sends it at once).
    static let orderSeconds = 5.0

    /// Asks the keeper to let its copy of the run lock go, and waits (a second at most) until it has,
    /// so that the worker that gets the final event finds the lock free.
    private static func keeperLetsGo(_ keeper: Int32) {
        guard Descriptor.writeAll(keeper, [UInt8(ascii: "R")]) else { return }
        var set = PollSet()
        set.watch(keeper, for: .readable)
        guard let ready = try? set.wait(seconds: 1), ready.contains(keeper) else { return }
        var byte: UInt8 = 0
        _ = read(keeper, &byte, 1)
    }
}
