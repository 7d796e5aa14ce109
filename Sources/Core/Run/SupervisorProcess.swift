import Glibc

/// Starts a run's supervisor: a `fork` of the worker (no `exec`: the worker's code is already in
/// memory, so a run costs no start of a binary) that runs a ``RunSupervisor`` and exits.
///
/// The child leads a session of its own, keeps only the run lock (fd 3), the event pipe (fd 4) and the
/// worker's log (fd 2), becomes the run's child subreaper, and turns SIGTERM into cancel. A chat run's
/// supervisor gets SIGTERM from the kernel when its worker dies (`PR_SET_PDEATHSIG`); a job's does not,
/// so a job outlives its worker. The worker is single-threaded, so the child may run Swift code.
public enum SupervisorProcess {
    /// A started supervisor and the read end of its event pipe.
    public struct Started {
        public var pid: pid_t
        public var events: Int32
    }

    static let lockDescriptor: Int32 = 3
    static let eventDescriptor: Int32 = 4

    public static func start(_ plan: RunPlan, lockDescriptor lock: Int32, log: @escaping (String) -> Void) throws(SystemCallError) -> Started {
        var events = try Pipe.make()
        let worker = getpid()
        let pid = fork()
        if pid == 0 {
            becomeSupervisor(plan, lock: lock, events: events.writeEnd, worker: worker, log: log)
        }
        Descriptor.close(&events.writeEnd)
        guard pid > 0 else {
            let failure = SystemCallError("cannot fork a run supervisor")
            events.close()
            throw failure
        }
        return Started(pid: pid, events: events.readEnd)
    }

    private static func becomeSupervisor(_ plan: RunPlan, lock: Int32, events: Int32, worker: pid_t, log: @escaping (String) -> Void) -> Never {
        setsid()
        var parentGone = false
        if plan.kind == .chat {
            ProcessControl.signalOnParentDeath(SIGTERM)
            // The worker may have died before the line above took effect.
            parentGone = getppid() != worker
        }
        // Only the lock, the event pipe and the log stay; the listening socket (fd 0) and the
        // connection to nginx must not live on in a job that outlasts its worker.
        let nullFD = open("/dev/null", O_RDWR)
        let lockCopy = fcntl(lock, F_DUPFD_CLOEXEC, 10)
        let eventsCopy = fcntl(events, F_DUPFD_CLOEXEC, 10)
        guard nullFD >= 0, lockCopy >= 0, eventsCopy >= 0 else { _exit(70) }
        dup2(nullFD, 0)
        dup2(nullFD, 1)
        dup2(lockCopy, lockDescriptor)
        dup2(eventsCopy, eventDescriptor)
        LibC.closeRange(eventDescriptor + 1)
        Descriptor.setCloseOnExec(lockDescriptor)
        Descriptor.setCloseOnExec(eventDescriptor)
        signal(SIGPIPE, SIG_IGN)

        ProcessControl.becomeChildSubreaper()
        let cancel = CancelSignal.install()
        if parentGone { cancel.trigger() }
        let supervisor = RunSupervisor(
            plan: plan, launcher: PosixProcessLauncher(), store: FileJobStore(directory: plan.stateDirectory + "/jobs"),
            clock: SystemWallClock(),
            send: { Descriptor.writeAll(eventDescriptor, RunEventCodec.encode($0)) },
            log: log, endLeftovers: { ProcessControl.killAllDescendants() })
        _exit(supervisor.run(cancelOn: cancel.descriptor >= 0 ? cancel.descriptor : nil))
    }
}
