/// Runs chat runs through the worker's supervisor (``SupervisorLink``). Only the plan's invocation
/// travels: the supervisor, forked from this worker, plans the run from the same ``RunSettings``.
public struct SupervisedChatRunner: ClaudeRunning {
    let link: SupervisorLink

    public init(link: SupervisorLink) {
        self.link = link
    }

    public func run(_ plan: RunPlan, lock: any HeldRunLock, cancelOn: Int32?, watcher: RunWatcher) -> ClaudeOutcome {
        guard let lockDescriptor = lock.descriptor else {
            return .failed(detail: "internal error: the run lock has no descriptor to hand over", report: nil)
        }
        return link.run(plan.invocation, lockDescriptor: lockDescriptor, cancelOn: cancelOn, watcher: watcher)
    }
}
