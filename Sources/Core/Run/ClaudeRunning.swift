/// Runs a chat's claude run to its end, under the run lock the caller holds, and says how it went.
public protocol ClaudeRunning: Sendable {
    /// - Parameters:
    ///   - lock: the held run lock; the run keeps it until every process of the run is gone.
    ///   - cancelOn: a descriptor whose end of file (the client hung up) stops the run.
    ///   - onEvent: each of the run's events as it arrives (for streaming); the outcome is returned too.
    func run(_ plan: RunPlan, lock: any HeldRunLock, cancelOn: Int32?, onEvent: (RunEvent) -> Void) -> ClaudeOutcome
}

extension ClaudeRunning {
    public func run(_ plan: RunPlan, lock: any HeldRunLock, cancelOn: Int32?) -> ClaudeOutcome {
        run(plan, lock: lock, cancelOn: cancelOn, onEvent: { _ in })
    }
}
