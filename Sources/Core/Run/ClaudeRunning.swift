/// Runs a chat's claude run to its end, under the run lock the caller holds, and says how it went.
public protocol ClaudeRunning: Sendable {
    /// - Parameters:
    ///   - lock: the held run lock; the run keeps it until every process of the run is gone.
    ///   - cancelOn: a descriptor whose end of file (the client hung up) stops the run.
    ///   - watcher: gets each of the run's events as it arrives (for streaming), and the waits between
    ///     them; the outcome is returned too.
    func run(_ plan: RunPlan, lock: any HeldRunLock, cancelOn: Int32?, watcher: RunWatcher) -> ClaudeOutcome
}

/// What the worker does while a chat run goes on: with each event, and at least once a second while
/// none comes. Either answers `false` to stop the run as if its client had hung up (the client can
/// no longer be written to).
public struct RunWatcher {
    public var onEvent: (RunEvent) -> Bool
    public var onIdle: () -> Bool
    /// A re-sendable run's grace: its client's hang-up (or a `false` here) starts the grace instead of
    /// stopping the run; `nil` (every other run) stops it at once.
    public var hangUpGrace: HangUpGrace?

    public init(onEvent: @escaping (RunEvent) -> Bool = { _ in true }, onIdle: @escaping () -> Bool = { true }, hangUpGrace: HangUpGrace? = nil) {
        self.onEvent = onEvent
        self.onIdle = onIdle
        self.hangUpGrace = hangUpGrace
    }

    /// Watches nothing: the outcome alone matters.
    public static var none: RunWatcher { RunWatcher() }
}

extension ClaudeRunning {
    public func run(_ plan: RunPlan, lock: any HeldRunLock, cancelOn: Int32?) -> ClaudeOutcome {
        run(plan, lock: lock, cancelOn: cancelOn, watcher: .none)
    }
}
