import CLinux
import Glibc

/// The worker's side of its supervisor: starts it (a `fork` of the worker, once, not per run), hands it
/// each chat run with the run lock, and reads the run's events back while watching the client's
/// connection. A supervisor that died, or that was told to stop a run because its client hung up, is
/// replaced at the next run.
///
/// Single-threaded, as the worker is: one run at a time.
public final class SupervisorLink: @unchecked Sendable {
    let settings: RunSettings
    let log: @Sendable (String) -> Void
    /// The worker's stop request and how long a run in hand may go on once it came.
    let stop: StopRequest?
    let stopTimeoutSeconds: Double
    private var pid: pid_t = -1
    private var socket: Int32 = -1

    public init(settings: RunSettings, stop: StopRequest? = nil, stopTimeoutSeconds: Double = 90,
                log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.stop = stop
        self.stopTimeoutSeconds = stopTimeoutSeconds
        self.log = log
    }

    /// The supervisor's pid, once started.
    public var supervisorPID: pid_t? { pid > 0 ? pid : nil }

    /// What `ps` shows for a worker's supervisor.
    public static let processName = "claude-fcgi-sup"

    /// Starts the supervisor now, so that the first run does not wait for it. This worker becomes a
    /// child subreaper: should the supervisor be killed mid-run, the run's processes come back here.
    public func start() throws(SystemCallError) {
        ProcessControl.becomeChildSubreaper()
        var pair = try SocketPair.make()
        defer { Descriptor.close(&pair.second) }
        do {
            pid = try SupervisorSetup.fork(name: Self.processName, keeping: [pair.second], diesWithWorker: true) { cancel in
                SupervisorLoop(settings: settings, socket: 3, cancel: cancel, log: log).run()
            }
        } catch {
            Descriptor.close(&pair.first)
            throw error
        }
        socket = pair.first
    }

    /// Runs one chat run to its end and returns how it went.
    /// - Parameters:
    ///   - lockDescriptor: the held run lock, handed to the supervisor, which keeps it until every
    ///     process of the run is gone.
    ///   - cancelOn: the client's connection: its end of file stops the run.
    ///   - watcher: sees the run's events and waits; its `false` stops the run as a hang-up does.
    public func run(_ invocation: ClaudeInvocation, lockDescriptor: Int32, cancelOn connection: Int32?,
                    watcher: RunWatcher = .none) -> ClaudeOutcome {
        let order = RunOrder(invocation: invocation).encode()
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
        return awaitOutcome(cancelOn: connection, watcher: watcher)
    }

    private func awaitOutcome(cancelOn connection: Int32?, watcher: RunWatcher) -> ClaudeOutcome {
        var decoder = RunEventCodec.Decoder()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var watched = connection
        var hungUp = false
        // A stop request gives the run `stopTimeoutSeconds` more, then cancels it like a hang-up.
        var stopWatched = stop.flatMap { $0.descriptor >= 0 ? $0.descriptor : nil }
        var stopDeadline: Double?
        var stoppedByStop = false
        /// Stops the run the way a client's hang-up does: shutting our side tells the supervisor.
        func hangUp() {
            guard !hungUp else { return }
            hungUp = true
            shutdown(socket, Int32(SHUT_WR))
        }
        // The supervisor enforces the run's limits; this only catches a supervisor that hangs.
        let claude = settings.claude
        let deadline = Monotonic.now() + claude.timeoutSeconds + 2 * claude.killGraceSeconds + settings.gitSync.timeoutSeconds + 40
        while true {
            var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
            if let watched { fds.append(pollfd(fd: watched, events: Int16(POLLIN) | clinux_pollrdhup, revents: 0)) }
            if let stopWatched { fds.append(pollfd(fd: stopWatched, events: Int16(POLLIN), revents: 0)) }
            let wait = Int32(min(1000, max(0, (min(deadline, stopDeadline ?? deadline) - Monotonic.now()) * 1000)))
            _ = poll(&fds, nfds_t(fds.count), wait)
            if stopWatched != nil, let last = fds.last, last.fd == stopWatched, last.revents != 0 {
                stopDeadline = Monotonic.now() + stopTimeoutSeconds
                stopWatched = nil
                log("stop requested; the run in hand may go on for \(NumberText.short(stopTimeoutSeconds)) s")
            }
            if let due = stopDeadline, Monotonic.now() >= due, !hungUp {
                log("the run outlived --stop-timeout; cancelling it")
                stoppedByStop = true
                hangUp()
                stopDeadline = nil
            }
            if Monotonic.now() >= deadline {
                log("run supervisor \(pid) did not finish a run in time; killed")
                kill(pid, SIGKILL)
                endOrphansOfDeadSupervisor()
                return .failed(detail: "the run supervisor stopped answering", report: nil)
            }
            if let fd = watched, fds[1].revents != 0 {
                // End of file: the client hung up. Shutting our side tells the supervisor to stop the run.
                if ProcessExit.isCancelSignal(fd) { hangUp() }
                watched = nil
            }
            guard fds[0].revents != 0 else {
                if !hungUp && !watcher.onIdle() { hangUp() }
                continue
            }
            let count = Descriptor.read(socket, into: &buffer)
            guard count > 0 else {
                endOrphansOfDeadSupervisor()
                return stoppedByStop ? stoppedOutcome(report: nil)
                    : hungUp ? .cancelled(report: nil) : .failed(detail: "the run supervisor ended without an answer", report: nil)
            }
            buffer.withUnsafeBytes { decoder.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            do {
                while let event = try decoder.next() {
                    if !watcher.onEvent(event) { hangUp() }
                    if let outcome = event.outcome {
                        // A supervisor told to stop exits once its run is over; the next run starts another.
                        if hungUp { forget() }
                        if stoppedByStop, case .cancelled(let report) = outcome { return stoppedOutcome(report: report) }
                        return outcome
                    }
                }
            } catch {
                kill(pid, SIGKILL)
                endOrphansOfDeadSupervisor()
                return .failed(detail: OneLine.clean(error.description), report: nil)
            }
        }
    }

    /// What the client of a run cancelled by a stop request is told (the audit line says `cancelled`).
    private func stoppedOutcome(report: ClaudeReport?) -> ClaudeOutcome {
        .failed(detail: "cancelled: the worker is stopping and the run went on longer than --stop-timeout (\(NumberText.short(stopTimeoutSeconds)) s)",
                report: report)
    }

    /// After a supervisor died in a run: waits for it (once it is reaped, the kernel has handed its
    /// orphans to this worker, a child subreaper), then kills what is left of the run: every child but
    /// the jobs' supervisors, which run on their own.
    private func endOrphansOfDeadSupervisor() {
        Descriptor.close(&socket)
        if pid > 0 { _ = ProcessExit.reap(pid) }
        pid = -1
        let killed = ProcessControl.killChildren { ProcessTable.name($0) != DetachedSupervisor.processName }
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
