import Glibc

/// Collects the worker's children that have exited (the supervisors of the jobs it started, which are
/// its children until it exits), so that none lingers as a zombie. A job whose supervisor ended while
/// its record still says running is recorded as failed, `runner lost`, here: where the runner is found
/// gone, once. (A job whose worker died first is not this worker's child: its record is left, and
/// every read shows it lost, ``JobRecord/asSeen(isAlive:)``.)
public struct JobReaper: Sendable {
    let store: any JobStore
    let clock: any WallClock
    /// How many of the newest records are looked through for the job of a runner that ended badly.
    let maxCount: Int

    /// - Parameters:
    ///   - store: the job records.
    ///   - clock: the time a lost runner is recorded as finished.
    ///   - maxCount: how many of the newest records are looked through (the job API's `--job-max-count`).
    public init(store: any JobStore, clock: any WallClock = SystemWallClock(), maxCount: Int) {
        self.store = store
        self.clock = clock
        self.maxCount = maxCount
    }

    /// Collects every child that has exited, without waiting.
    public func reap() {
        var status: Int32 = 0
        while case .success(let pid) = SystemCall.result({ waitpid(-1, &status, WNOHANG) }), pid > 0 {
            collected(pid, status: status)
        }
    }

    /// What a child collected here or elsewhere (``ProcessControl/killChildren(within:chosen:collected:)``)
    /// means for the jobs: a supervisor that exits 0 has recorded its run's end; any other may not have.
    public func collected(_ pid: Int32, status: Int32) {
        if ProcessExit.termination(status) != .exited(0) { runnerEnded(pid) }
    }

    /// Records the running job whose runner was `pid` as lost; false when there is none.
    @discardableResult
    func runnerEnded(_ pid: Int32) -> Bool {
        guard var record = store.list(limit: maxCount, before: nil).first(where: { $0.status == .running && $0.runner?.pid == pid })
        else { return false }
        record = record.lost(finished: clock.rfc3339())
        return (try? store.write(record)) != nil
    }
}
