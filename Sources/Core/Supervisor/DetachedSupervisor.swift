import Glibc

/// A job's supervisor: forked from the worker for the one job, in its own session and not tied to the
/// worker's life, so that the job survives its worker, a worker restart and an nginx reload. It writes
/// the job's record, sends `started` on the pipe it was given, runs the job and exits; the run lock
/// is held until it has exited.
public enum DetachedSupervisor {
    /// A started supervisor and the read end of its event pipe.
    public struct Started {
        public var pid: pid_t
        public var events: Int32
    }

    /// What `ps` shows for a job's supervisor.
    public static let processName = "claude-fcgi-job"

    public static func start(_ plan: RunPlan, lockDescriptor lock: Int32, log: @escaping (String) -> Void) throws(SystemCallError) -> Started {
        var events = try Pipe.make()
        let pid = fork()
        if pid == 0 {
            let cancel = SupervisorSetup.enter(name: processName, keeping: [lock, events.writeEnd], diesWith: nil)
            let supervisor = RunSupervisor(
                plan: plan, launcher: PosixProcessLauncher(), store: FileJobStore(directory: plan.stateDirectory + "/jobs"),
                clock: SystemWallClock(), send: { Descriptor.writeAll(4, RunEventCodec.encode($0)) },
                log: log, endLeftovers: { ProcessControl.killAllDescendants() })
            _exit(supervisor.run(cancelOn: [cancel.descriptor]))
        }
        Descriptor.close(&events.writeEnd)
        guard pid > 0 else {
            let failure = SystemCallError("cannot fork a job supervisor")
            events.close()
            throw failure
        }
        return Started(pid: pid, events: events.readEnd)
    }
}
