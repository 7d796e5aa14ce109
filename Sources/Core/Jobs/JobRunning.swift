/// Starts, watches and stops the supervisors of `/execute` jobs.
public protocol JobRunning: Sendable {
    /// Starts the job's run detached from this worker, handing it the run lock; returns once the job's
    /// record (naming its runner) is written, with that record.
    func start(_ plan: RunPlan, lock: any HeldRunLock) throws(JobStartError) -> JobRecord
    /// Whether the runner is still that process and still alive.
    func isAlive(_ runner: JobRecord.Runner) -> Bool
    /// Asks the runner to stop the job (SIGTERM); false when it is already gone.
    func stop(_ runner: JobRecord.Runner) -> Bool
}
