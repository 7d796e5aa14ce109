extension JobRecord {
    /// The detail of a job whose runner ended without recording the run's end.
    public static let runnerLostDetail = "runner lost"

    /// The record as it stands: a running job whose runner is gone (by `isAlive`) reads as failed,
    /// `runner lost`, with no `finished` (when it ended nobody saw). Reading never writes.
    public func asSeen(isAlive: (Runner) -> Bool) -> JobRecord {
        guard status == .running, let runner, !isAlive(runner) else { return self }
        return lost(finished: nil)
    }

    /// The record of a job whose runner ended without recording the run's end: failed, `runner lost`.
    public func lost(finished: String?) -> JobRecord {
        var lost = self
        lost.status = .ended(.failed)
        lost.detail = Self.runnerLostDetail
        lost.finished = finished
        return lost
    }
}
