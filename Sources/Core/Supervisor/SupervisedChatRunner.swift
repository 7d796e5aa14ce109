/// Runs chat runs through the worker's supervisor (``SupervisorLink``), which runs the plan it is
/// handed: the run is planned once, by the endpoint.
public struct SupervisedChatRunner: ClaudeRunning {
    let link: SupervisorLink

    public init(link: SupervisorLink) {
        self.link = link
    }

    public func run(_ plan: RunPlan, lock: any HeldRunLock, cancelOn: Int32?, watcher: RunWatcher) -> ClaudeOutcome {
        guard let lockDescriptor = lock.descriptor else {
            return .failed(detail: "internal error: the run lock has no descriptor to hand over", report: nil)
        }
        return link.run(plan, lockDescriptor: lockDescriptor, cancelOn: cancelOn, watcher: watcher)
    }
}
