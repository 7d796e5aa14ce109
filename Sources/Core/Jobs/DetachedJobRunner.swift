import Glibc

/// The real job runner: a ``DetachedSupervisor`` per job. It writes the job's record and sends
/// `started`; this waits for that, then lets it go.
public struct DetachedJobRunner: JobRunning {
    let store: any JobStore
    let log: @Sendable (String) -> Void

    public init(store: any JobStore, log: @escaping @Sendable (String) -> Void = { StandardError.writeLine($0) }) {
        self.store = store
        self.log = log
    }

    public func start(_ plan: RunPlan, lock: any HeldRunLock) throws(JobStartError) -> JobRecord {
        guard case .job(let submitted) = plan.kind else { throw JobStartError("not a job") }
        guard let lockDescriptor = lock.descriptor else { throw JobStartError("the run lock has no descriptor to hand over") }
        let started: DetachedSupervisor.Started
        do {
            started = try DetachedSupervisor.start(plan, lockDescriptor: lockDescriptor, store: store, log: log)
        } catch {
            throw JobStartError("the job could not be started: \(error)")
        }
        defer { close(started.events) }
        var decoder = RunEventCodec.Decoder()
        var chunk = [UInt8](repeating: 0, count: 256)
        while true {
            let count = Descriptor.read(started.events, into: &chunk)
            guard count > 0 else { break }
            chunk.withUnsafeBytes { decoder.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            switch try? decoder.next() {
            case .started?: return (try? store.read(submitted.job_id)) ?? submitted
            // The one failure before `started`: the record could not be written, and nothing ran.
            case .failure(_, let detail, _)?: throw JobStartError(detail, isUnwritable: true)
            default: continue
            }
        }
        throw JobStartError("the job's supervisor ended before the job was recorded")
    }

    public func isAlive(_ runner: JobRecord.Runner) -> Bool {
        guard let ticks = ProcessTable.startTicks(runner.pid) else { return false }
        return runner.start_ticks == 0 || ticks == runner.start_ticks
    }

    public func stop(_ runner: JobRecord.Runner) -> Bool {
        isAlive(runner) && kill(runner.pid, SIGTERM) == 0
    }
}
