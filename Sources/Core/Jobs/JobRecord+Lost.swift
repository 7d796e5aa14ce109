extension JobRecord {
    /// The detail of a job whose runner ended without recording the run's end.
    public static let runnerLostDetail = "runner lost"

    /// The record as it stands: a running job whose runner is gone (by `isAlive`) reads as failed,
    /// `runner lost`, finished `now`. Reading never writes; ``JobReaper`` records it.
    public func asSeen(now: @autoclosure () -> String, isAlive: (Runner) -> Bool) -> JobRecord {
        guard status == .running, let runner, !isAlive(runner) else { return self }
        var lost = self
        lost.status = .ended(.failed)
        lost.detail = Self.runnerLostDetail
        lost.finished = now()
        return lost
    }
}
