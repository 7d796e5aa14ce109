import Glibc

/// Starts, watches and stops the supervisors of `/execute` jobs.
public protocol JobRunning: Sendable {
    /// Starts a detached supervisor for the job, hands it the run lock, and writes the job's record
    /// (with its runner) before the supervisor can start claude. Returns the record as written.
    func start(_ record: JobRecord, options: SupervisorOptions, lock: any HeldRunLock, store: any JobStore) throws(APIError) -> JobRecord
    /// Whether the runner is still that process and still alive.
    func isAlive(_ runner: JobRecord.Runner) -> Bool
    /// Asks the runner to stop the job (SIGTERM); false when it is already gone.
    func stop(_ runner: JobRecord.Runner) -> Bool
}

/// The real job runner: `claude-fcgi supervise --job-id=…` in its own session, not tied to the
/// worker's life, so a job survives its worker, a worker restart and an nginx reload.
public struct DetachedJobRunner: JobRunning {
    public let supervisorExecutable: String

    public init(supervisorExecutable: String) {
        self.supervisorExecutable = supervisorExecutable
    }

    public func start(_ record: JobRecord, options: SupervisorOptions, lock: any HeldRunLock, store: any JobStore) throws(APIError) -> JobRecord {
        guard let lockDescriptor = lock.descriptor else {
            throw .internalFailure(detail: "the run lock has no descriptor to hand over")
        }
        let prompt = Array(options.invocation.prompt.utf8)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .internalFailure(detail: "cannot create a pipe: \(SystemError.describe(errno))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(writeEnd) }
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { if devNull >= 0 { close(devNull) } }

        let pid: pid_t
        do {
            // stderr (fd 2, the worker's log) is inherited as it is.
            pid = try SpawnPlatform.spawn(
                executable: supervisorExecutable, arguments: options.arguments, environment: options.settings.environment,
                workingDirectory: options.settings.workingDirectory,
                descriptors: [(readEnd, 0), (devNull, 1), (lockDescriptor, 3)], newSession: true)
        } catch {
            close(readEnd)
            throw .executionFailed(detail: OneLine.clean("the job could not be started: \(error)"))
        }
        close(readEnd)
        var written = record
        written.runner = JobRecord.Runner(pid: pid, start_ticks: ProcessTable.startTicks(pid) ?? 0)
        do {
            try store.write(written)
        } catch {
            kill(pid, SIGKILL)
            throw error
        }
        // The supervisor reads the prompt only now that its record exists; it checks the length.
        var offset = 0
        while offset < prompt.count {
            let count = prompt.withUnsafeBytes { write(writeEnd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            offset += count
        }
        return written
    }

    public func isAlive(_ runner: JobRecord.Runner) -> Bool {
        guard let ticks = ProcessTable.startTicks(runner.pid) else { return false }
        return runner.start_ticks == 0 || ticks == runner.start_ticks
    }

    public func stop(_ runner: JobRecord.Runner) -> Bool {
        isAlive(runner) && kill(runner.pid, SIGTERM) == 0
    }
}
