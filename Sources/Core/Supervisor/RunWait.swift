/// What the worker decides while it waits for its supervisor's run, without doing any of it: when to
/// hang up (the client hung up, the watcher declined, or a stop request's time ran out; with a
/// hang-up grace, the client's hang-up first starts the grace: see ``HangUpGrace``), when the
/// supervisor counts as hung, and what a run that ended or broke off comes to. ``SupervisorLink``
/// watches the descriptors, feeds what it saw in here, and carries out the actions.
struct RunWait {
    /// What becomes of the supervisor once the wait is over.
    enum Ending: Equatable {
        /// It answered and stays for the next run.
        case keep
        /// It was told to stop the run (a hang-up) and exits once the run is over: the next run starts another.
        case forget
        /// It is gone (end of file on the socket): reap it and end what it left of the run.
        case reapDead
        /// It broke the protocol or stopped answering: kill it, then as ``reapDead``.
        case kill
    }

    /// The run's outcome and what becomes of the supervisor.
    struct Finish: Equatable {
        var outcome: ClaudeOutcome
        var ending: Ending
    }

    enum Action: Equatable {
        /// Shut the worker's side of the socket: the supervisor stops the run as on a client's hang-up.
        case hangUp
        case log(String)
        case finish(Finish)
    }

    let stopTimeoutSeconds: Double
    /// When a supervisor that has not answered counts as hung.
    let hangDeadline: Double
    /// Whether the client's connection is still watched (data on it ends the watch, without a hang-up).
    private(set) var watchesConnection: Bool
    /// Whether the worker's stop request is still watched (it is seen once).
    private(set) var watchesStop: Bool
    private(set) var hungUp = false
    /// Whether the hang-up was the stop request's, whose client is told so.
    private(set) var stoppedByStop = false
    private var stopDeadline: Double?
    /// How long a re-sendable run goes on after its client hung up; `nil`: it is hung up on at once.
    let graceSeconds: Double?
    /// When the grace that the client's hang-up started ends.
    private(set) var graceDeadline: Double?
    /// A re-send attached in the grace: the run goes on to its end whatever its first client does.
    private(set) var runsToEnd = false

    /// - Parameters:
    ///   - now: the monotonic time the run was handed over.
    ///   - stopTimeoutSeconds: how long a run may go on once the worker was asked to stop.
    ///   - graceSeconds: the run's hang-up grace (``HangUpGrace/seconds``); `nil` for none.
    init(plan: RunPlan, now: Double, stopTimeoutSeconds: Double, watchesConnection: Bool, watchesStop: Bool, graceSeconds: Double? = nil) {
        self.stopTimeoutSeconds = stopTimeoutSeconds
        self.graceSeconds = graceSeconds
        hangDeadline = now + Self.hangAllowance(plan)
        self.watchesConnection = watchesConnection
        self.watchesStop = watchesStop
    }

    /// How long a supervisor may take over a run before it counts as hung: the supervisor enforces the
    /// plan's limits itself (git sync, claude's timeout, then TERM and KILL), and this only catches one
    /// that does not.
    static func hangAllowance(_ plan: RunPlan) -> Double {
        plan.gitSync.timeoutSeconds + plan.claude.timeoutSeconds + 2 * plan.claude.killGraceSeconds + 40
    }

    /// How long the next wait may last: to the next deadline, and at most a second, so that the
    /// watcher hears at least once a second.
    func secondsToWait(now: Double) -> Double {
        min(1, max(0, min(hangDeadline, stopDeadline ?? hangDeadline, graceDeadline ?? hangDeadline) - now))
    }

    /// Whether the watcher is to hear of a wait without an event (not once the run was hung up on).
    var watchesIdle: Bool { !hungUp }

    /// The worker was asked to stop: the run in hand may go on for `stopTimeoutSeconds`.
    mutating func stopRequested(now: Double) -> [Action] {
        guard watchesStop else { return [] }
        watchesStop = false
        stopDeadline = now + stopTimeoutSeconds
        return [.log("stop requested; the run in hand may go on for \(NumberText.short(stopTimeoutSeconds)) s")]
    }

    /// The deadlines at `now`: a stop request's time that ran out hangs up; a grace that ran out hangs
    /// up unless `isAttached()` (asked then, once: a re-send is waiting for this run's answer); a
    /// supervisor past its hang deadline is killed.
    mutating func timePassed(now: Double, isAttached: () -> Bool = { false }) -> [Action] {
        var actions: [Action] = []
        if let due = graceDeadline, now >= due {
            graceDeadline = nil
            if !hungUp {
                if isAttached() {
                    runsToEnd = true
                    actions += [.log("a re-send attached in the hang-up grace; the run goes on to its end")]
                } else {
                    actions += [.log("no re-send attached in the hang-up grace; cancelling the run")] + hangUp()
                }
            }
        }
        if let due = stopDeadline, now >= due {
            stopDeadline = nil
            if !hungUp {
                stoppedByStop = true
                actions += [.log("the run outlived --stop-timeout; cancelling it")] + hangUp()
            }
        }
        if now >= hangDeadline {
            actions += [.log("run supervisor did not finish a run in time; killed"),
                        .finish(Finish(outcome: .failed(detail: "the run supervisor stopped answering", report: nil), ending: .kill))]
        }
        return actions
    }

    /// The client's connection polled ready: at its end of file the client hung up; data ends the watch.
    mutating func connectionReady(endOfFile: Bool, now: Double) -> [Action] {
        guard watchesConnection else { return [] }
        watchesConnection = false
        return endOfFile ? clientLeft(now: now) : []
    }

    /// The watcher answered `false` (its client can no longer be written to).
    mutating func watcherDeclined(now: Double) -> [Action] {
        clientLeft(now: now)
    }

    /// The client is gone: hang up, or with a grace start it (once); nothing once a re-send attached.
    private mutating func clientLeft(now: Double) -> [Action] {
        guard !hungUp, !runsToEnd, graceDeadline == nil else { return [] }
        guard let graceSeconds else { return hangUp() }
        graceDeadline = now + graceSeconds
        return [.log("the client hung up; the run goes on for \(NumberText.short(graceSeconds)) s for a re-send to attach")]
    }

    /// An event from the supervisor; the run's last one finishes the wait.
    mutating func received(_ event: RunEvent) -> Finish? {
        guard let outcome = event.outcome else { return nil }
        let ending: Ending = hungUp ? .forget : .keep
        if stoppedByStop, case .cancelled(let report) = outcome {
            return Finish(outcome: stoppedOutcome(report: report), ending: ending)
        }
        return Finish(outcome: outcome, ending: ending)
    }

    /// End of file on the socket: the supervisor is gone without a final event.
    func supervisorEnded() -> Finish {
        let outcome: ClaudeOutcome = stoppedByStop ? stoppedOutcome(report: nil)
            : hungUp ? .cancelled(report: nil) : .failed(detail: "the run supervisor ended without an answer", report: nil)
        return Finish(outcome: outcome, ending: .reapDead)
    }

    /// The supervisor sent what is not an event (a malformed or oversized frame).
    func supervisorBroke(_ detail: String) -> Finish {
        Finish(outcome: .failed(detail: OneLine.clean(detail), report: nil), ending: .kill)
    }

    private mutating func hangUp() -> [Action] {
        guard !hungUp else { return [] }
        hungUp = true
        graceDeadline = nil
        return [.hangUp]
    }

    /// What the client of a run cancelled by a stop request is told (the audit line says `cancelled`).
    private func stoppedOutcome(report: ClaudeReport?) -> ClaudeOutcome {
        .failed(detail: "cancelled: the worker is stopping and the run went on longer than --stop-timeout (\(NumberText.short(stopTimeoutSeconds)) s)",
                report: report)
    }
}
