/// A job's supervisor: forked from the worker for the one job, in its own session and not tied to the
/// worker's life, so that the job survives its worker, a worker restart and an nginx reload. It writes
/// the job's record, sends `started` on the pipe it was given, runs the job and exits; the run lock
/// is held until every process of the run is gone.
public enum DetachedSupervisor {
    /// A started supervisor and the read end of its event pipe.
    public struct Started {
        public var pid: Int32
        public var events: Int32
    }

    /// What `ps` shows for a job's supervisor.
    public static let processName = "claude-fcgi-job"

    /// Forks the job's supervisor, which runs the job with `store` for its record; returns once forked.
    public static func start(_ plan: RunPlan, lockDescriptor lock: Int32, store: any JobStore,
                             log: @escaping (String) -> Void) throws(SystemCallError) -> Started {
        var events = try Pipe.make()
        defer { Descriptor.close(&events.writeEnd) }
        do {
            let pid = try SupervisorSetup.fork(name: processName, keeping: [lock, events.writeEnd], diesWithWorker: false) { cancel in
                // The lock is fd 3, the event pipe fd 4 (`keeping`'s order).
                RunSupervisor.inThisProcess(plan: plan, store: store, events: 4, lock: 3, log: log).run(cancelOn: [cancel.descriptor])
            }
            return Started(pid: pid, events: events.readEnd)
        } catch {
            events.close()
            throw error
        }
    }
}
