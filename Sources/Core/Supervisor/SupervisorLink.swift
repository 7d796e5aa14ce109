import CLinux
import Glibc

/// The worker's side of its supervisor: starts it (a `fork` of the worker, once, not per run), hands it
/// each chat run with the run lock, and reads the run's events back while watching the client's
/// connection. A supervisor that died, or that was told to stop a run because its client hung up, is
/// replaced at the next run.
///
/// Single-threaded, as the worker is: one run at a time.
public final class SupervisorLink: @unchecked Sendable {
    let log: @Sendable (String) -> Void
    /// The worker's stop request and how long a run in hand may go on once it came.
    let stop: StopRequest?
    let stopTimeoutSeconds: Double
    /// Kills and reaps what a supervisor that died in a run left of it; returns how many it killed.
    let endOrphans: () -> Int
    /// The host's warm spare: a run it fits is handed to it rather than to this worker's supervisor,
    /// when one is waiting. (After each run the worker's loop starts a new one, once the run lock is let go:
    /// ``SpareLink/ensure()``.)
    let spares: SpareLink?
    private var pid: pid_t = -1
    private var socket: Int32 = -1

    /// - Parameter collected: told of each child collected while the orphans of a supervisor that died
    ///   are ended (a job's supervisor may be among the exited ones: ``JobReaper/collected(_:status:)``).
    public convenience init(stop: StopRequest? = nil, stopTimeoutSeconds: Double = 90, spares: SpareLink? = nil, log: @escaping @Sendable (String) -> Void,
                            collected: @escaping (_ pid: Int32, _ status: Int32) -> Void = { _, _ in }) {
        // Every child but the jobs' supervisors and the spare's keeper, which run on their own.
        let own = { (pid: pid_t) in ![DetachedSupervisor.processName, SpareKeeper.processName].contains(ProcessTable.name(pid)) }
        self.init(stop: stop, stopTimeoutSeconds: stopTimeoutSeconds, spares: spares, log: log,
                  endOrphans: { ProcessControl.killChildren(chosen: own, collected: collected) })
    }

    init(stop: StopRequest?, stopTimeoutSeconds: Double, spares: SpareLink? = nil, log: @escaping @Sendable (String) -> Void,
         endOrphans: @escaping () -> Int) {
        self.spares = spares
        self.stop = stop
        self.stopTimeoutSeconds = stopTimeoutSeconds
        self.log = log
        self.endOrphans = endOrphans
    }

    /// The supervisor's pid, once started.
    public var supervisorPID: pid_t? { pid > 0 ? pid : nil }

    /// What `ps` shows for a worker's supervisor.
    public static let processName = "claude-fcgi-sup"

    /// Starts the supervisor now, so that the first run does not wait for it. This worker becomes a
    /// child subreaper: should the supervisor be killed mid-run, the run's processes come back here.
    public func start() throws(SystemCallError) {
        // Not fatal: without it (a kernel before 3.4) a dead supervisor's orphans go to init instead.
        _ = try? ProcessControl.becomeChildSubreaper()
        var pair = try SocketPair.make()
        defer { Descriptor.close(&pair.second) }
        do {
            pid = try SupervisorSetup.fork(name: Self.processName, keeping: [pair.second], diesWithWorker: true) { [log] cancel in
                var loop = SupervisorLoop(socket: 3, cancel: cancel, log: log)
                return loop.run()
            }
        } catch {
            Descriptor.close(&pair.first)
            throw error
        }
        socket = pair.first
    }

    /// Talks to a supervisor already at the other end of `socket` (`pid` -1 for none to signal or
    /// reap): for tests, which play the supervisor.
    func attach(socket: Int32, pid: pid_t) {
        self.socket = socket
        self.pid = pid
    }

    /// Runs one chat run to its end and returns how it went: by the host's warm spare when the run fits
    /// it and one is waiting, else by this worker's supervisor.
    /// - Parameters:
    ///   - plan: the run, as the endpoint planned it: the supervisor runs this plan.
    ///   - lockDescriptor: the held run lock, handed to the supervisor, which keeps it until every
    ///     process of the run is gone.
    ///   - cancelOn: the client's connection: its end of file stops the run (after the watcher's
    ///     ``RunWatcher/hangUpGrace``, when it has one).
    ///   - watcher: sees the run's events and waits; its `false` stops the run as a hang-up does.
    public func run(_ plan: RunPlan, lockDescriptor: Int32, cancelOn connection: Int32?,
                    watcher: RunWatcher = .none) -> ClaudeOutcome {
        let order: [UInt8]
        do {
            order = try RunOrder(plan: plan).encode()
        } catch {
            return .failed(detail: "the run is too large to hand to the run supervisor: \(error)", report: nil)
        }
        if let spares, spares.fits(plan), var spare = spares.connect() {
            defer { Descriptor.close(&spare.socket) }
            // Nothing of a run happens before its `started` event: a spare that ends before it (one exiting as
            // it was connected to, whose backlog took the order; one that could not read it) ran nothing, and
            // the worker's own supervisor runs it instead.
            var started = false
            let watching = RunWatcher(onEvent: { event in
                if event == .started { started = true }
                return watcher.onEvent(event)
            }, onIdle: { started ? watcher.onIdle() : true }, hangUpGrace: watcher.hangUpGrace)
            if (try? SocketPair.send(order, descriptor: lockDescriptor, on: spare.socket)) != nil {
                let finish = awaitOutcome(plan, on: spare.socket, cancelOn: connection, watcher: watching)
                if started || finish.ending != .reapDead {
                    // The spare exits after its run (its keeper ends whatever it left); one that stopped answering is killed.
                    if finish.ending == .kill { kill(spare.pid, SIGKILL) }
                    return finish.outcome
                }
            }
            log("warm spare: gone before it took the run; the run starts cold")
        }
        var handedOver = false
        for _ in 0..<2 where !handedOver {
            do {
                if socket < 0 { try start() }
                try SocketPair.send(order, descriptor: lockDescriptor, on: socket)
                handedOver = true
            } catch {
                // A supervisor that died since the last run: start another, once.
                log("run supervisor: \(error); starting a new one")
                forget()
            }
        }
        guard handedOver else {
            return .failed(detail: "the run supervisor could not be started", report: nil)
        }
        return end(awaitOutcome(plan, on: socket, cancelOn: connection, watcher: watcher))
    }

    /// Watches the supervisor's socket, the client's connection and the stop request; ``RunWait`` decides.
    private func awaitOutcome(_ plan: RunPlan, on socket: Int32, cancelOn connection: Int32?, watcher: RunWatcher) -> RunWait.Finish {
        let stopDescriptor = stop.flatMap { $0.descriptor >= 0 ? $0.descriptor : nil }
        var wait = RunWait(plan: plan, now: Monotonic.now(), stopTimeoutSeconds: stopTimeoutSeconds,
                           watchesConnection: connection != nil, watchesStop: stopDescriptor != nil, graceSeconds: watcher.hangUpGrace?.seconds)
        let isAttached = watcher.hangUpGrace?.isAttached ?? { false }
        var decoder = RunEventCodec.Decoder()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            var set = PollSet()
            set.watch(socket, for: .readable)
            if wait.watchesConnection { set.watch(connection, for: [.readable, .peerClosed]) }
            if wait.watchesStop { set.watch(stopDescriptor, for: .readable) }
            let ready: PollSet.Ready
            do {
                ready = try set.wait(seconds: wait.secondsToWait(now: Monotonic.now()))
            } catch {
                return wait.supervisorBroke(error.description)
            }
            var actions: [RunWait.Action] = []
            if wait.watchesStop && ready.contains(stopDescriptor) { actions += wait.stopRequested(now: Monotonic.now()) }
            actions += wait.timePassed(now: Monotonic.now(), isAttached: isAttached)
            if wait.watchesConnection, let connection, ready.contains(connection) {
                actions += wait.connectionReady(endOfFile: ProcessExit.isCancelSignal(connection), now: Monotonic.now())
            }
            if let finish = perform(actions, on: socket) { return finish }
            guard ready.contains(socket) else {
                if wait.watchesIdle && !watcher.onIdle() { _ = perform(wait.watcherDeclined(now: Monotonic.now()), on: socket) }
                continue
            }
            let count = Descriptor.read(socket, into: &buffer)
            guard count > 0 else { return wait.supervisorEnded() }
            buffer.withUnsafeBytes { decoder.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            do {
                while let event = try decoder.next() {
                    if !watcher.onEvent(event) { _ = perform(wait.watcherDeclined(now: Monotonic.now()), on: socket) }
                    if let finish = wait.received(event) { return finish }
                }
            } catch {
                return wait.supervisorBroke(error.description)
            }
        }
    }

    /// Carries out `actions` in order; the finish when one finishes the wait.
    private func perform(_ actions: [RunWait.Action], on socket: Int32) -> RunWait.Finish? {
        for action in actions {
            switch action {
            case .hangUp: shutdown(socket, Int32(SHUT_WR))
            case .log(let line): log(line)
            case .finish(let finish): return finish
            }
        }
        return nil
    }

    private func end(_ finish: RunWait.Finish) -> ClaudeOutcome {
        switch finish.ending {
        case .keep: break
        case .forget: forget()
        case .reapDead: endOrphansOfDeadSupervisor()
        case .kill:
            if pid > 0 { kill(pid, SIGKILL) }
            endOrphansOfDeadSupervisor()
        }
        return finish.outcome
    }

    /// After a supervisor died in a run: waits for it (once it is reaped, the kernel has handed its
    /// orphans to this worker, a child subreaper), then kills what is left of the run (``endOrphans``).
    private func endOrphansOfDeadSupervisor() {
        Descriptor.close(&socket)
        if pid > 0 { _ = ProcessExit.reap(pid) }
        pid = -1
        let killed = endOrphans()
        if killed > 0 { log("run supervisor died in a run; killed \(killed) process(es) it left") }
    }

    /// Forgets the supervisor: closes the socket (a live one exits on end of file) and reaps it when it
    /// has exited; one still exiting is reaped by the worker's loop later.
    func forget() {
        Descriptor.close(&socket)
        if pid > 0 {
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
        }
        pid = -1
    }
}
