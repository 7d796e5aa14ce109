import Glibc

/// What a run's supervisor decides and does, from start to the last descendant: records a job as
/// started, syncs the working directory with git, runs claude, ends every process left of the run,
/// deletes the session a failed run kept, writes the audit line, and reports the outcome (as the final event of a chat run, or into the
/// job's record).
///
/// It runs in a supervisor process: the worker's own (``SupervisorLoop``) for a chat run, one forked
/// for the job (``DetachedSupervisor``) for a job. Its effects come in as values, so that tests drive
/// it without starting a process.
public struct RunSupervisor {
    let plan: RunPlan
    /// Starts claude and git.
    let launcher: any ProcessLauncher
    let store: any JobStore
    let clock: any WallClock
    /// Sends an event to the worker waiting for the run.
    let send: (RunEvent) -> Void
    /// Writes a line to the worker's log.
    let log: (String) -> Void
    /// Kills and reaps whatever is left of the run; returns how many processes it killed.
    let endLeftovers: () -> Int
    /// Lets this supervisor's hold of the run lock go, once every process of the run is gone and
    /// before the final event (so that the worker's next run finds the lock free); called again, at
    /// the latest, when the run returns, on any path, so it must do nothing the second time.
    let releaseLock: () -> Void
    /// Whether the run's claude was a warm spare's, started ahead of its prompt (asked once it is over).
    let startedAhead: () -> Bool

    public init(plan: RunPlan, launcher: any ProcessLauncher, store: any JobStore, clock: any WallClock,
                send: @escaping (RunEvent) -> Void, log: @escaping (String) -> Void, endLeftovers: @escaping () -> Int,
                releaseLock: @escaping () -> Void = {}, startedAhead: @escaping () -> Bool = { false }) {
        self.startedAhead = startedAhead
        self.plan = plan
        self.launcher = launcher
        self.store = store
        self.clock = clock
        self.send = send
        self.log = log
        self.endLeftovers = endLeftovers
        self.releaseLock = releaseLock
    }

    /// The supervisor of a run in this process, a supervisor's: claude and git started for real, the
    /// events written to `events`, every descendant ended after the run, and the run lock's descriptor
    /// `lock` closed once they are gone (before the job's end is recorded or the final event is sent, so
    /// that whoever reads either can start the next run at once).
    static func inThisProcess(plan: RunPlan, store: any JobStore, events: Int32, lock: Int32,
                              log: @escaping (String) -> Void) -> RunSupervisor {
        var held = lock
        return RunSupervisor(
            plan: plan, launcher: PosixProcessLauncher(), store: store, clock: SystemWallClock(),
            send: { Descriptor.writeAll(events, RunEventCodec.encode($0)) },
            log: log, endLeftovers: { ProcessControl.killAllDescendants() },
            releaseLock: { Descriptor.close(&held) })
    }

    /// Runs the run; a descriptor of `cancelOn` polls readable when the run is to be stopped (the
    /// supervisor's SIGTERM, the worker gone or hanging up). Returns the supervisor's exit code.
    public func run(cancelOn: [Int32]) -> Int32 {
        defer { releaseLock() }
        let invocation = plan.invocation
        let started = clock.now()
        let startedMonotonic = Monotonic.now()
        if case .job(var record) = plan.kind {
            // The record names this process as its runner before anything runs, so that a reader can
            // tell a live job from a lost one.
            record.runner = JobRecord.Runner(pid: getpid(), start_ticks: ProcessTable.startTicks(getpid()) ?? 0)
            do {
                try store.write(record)
            } catch {
                log("supervisor: job \(record.job_id): \(error)")
                send(.failure(.failed, detail: error.description, report: nil))  // nothing ran: the worker answers 503
                plan.spend?.release(now: clock.now())
                return 1
            }
        }
        send(.started)

        let gitSync = GitSync(settings: plan.gitSync, launcher: launcher)
            .sync(workingDirectory: plan.claude.workingDirectory, environment: plan.claude.environment)
        if case .failed(let reason) = gitSync {
            log("supervisor: request \(invocation.requestID): git sync failed: \(reason)")
        }
        let outcome: ClaudeOutcome
        if case .failed(let reason) = gitSync, plan.gitSync.mode == .required {
            outcome = .failed(detail: OneLine.clean("git sync failed: \(reason)"), report: nil)
        } else {
            outcome = ClaudeCommand(settings: plan.claude, launcher: launcher)
                .run(invocation, cancelOn: cancelOn, onText: { [send] in send(.textDelta($0)) })
        }
        let leftovers = endLeftovers()
        if leftovers > 0 {
            log("supervisor: request \(invocation.requestID): killed \(leftovers) process(es) left behind by the run")
        }
        // A session is kept to continue an answer: a run that gave none leaves none behind.
        if outcome.kind != .succeeded, let session = invocation.keptSession {
            SessionFiles(environment: plan.claude.environment)?.delete(session)
        }

        var audit = AuditRecord(started: started, durationSeconds: Monotonic.now() - startedMonotonic, invocation: invocation, outcome: outcome, caller: plan.caller)
        audit.git_sync = gitSync.name
        if startedAhead() { audit.warm = true }
        do {
            try AuditLog(stateDirectory: plan.stateDirectory).append(audit)
        } catch {
            log("supervisor: \(error)")
        }
        if !CounterFile(stateDirectory: plan.stateDirectory).add(RunMetrics.deltas(audit)) {
            log("supervisor: cannot add to the metrics counters in \(plan.stateDirectory) (the file cannot be opened and mapped, or its table is full)")
        }
        // Before the lock goes: the caller's next run sees what this one spent.
        if let spend = plan.spend {
            do {
                try spend.settle(costUSD: spend.cost(of: outcome), now: clock.now())
            } catch {
                log("supervisor: request \(invocation.requestID): the spend of caller \(plan.caller) cannot be recorded: \(error.text)")
            }
        }
        releaseLock()
        guard case .job(let submitted) = plan.kind else {
            send(RunEvent(outcome))
            return 0
        }
        var record = (try? store.read(submitted.job_id)) ?? submitted
        record.finish(outcome, at: clock.rfc3339())
        do {
            try store.write(record)
        } catch {
            log("supervisor: job \(record.job_id): \(error)")
            return 1
        }
        return 0
    }
}
