// TEMPORARY until the queue lands (h-queue): the shape of RunGate.acquire.
public enum QueueWaitResult { case acquired(any HeldRunLock), busy, hungUp }
extension RunGate {
    public var queueIsOnStub: Bool { false }
    public func acquire(caller: String, connection: Int32?, onWait: () -> Bool) throws(RunLockError) -> QueueWaitResult {
        if let held = try tryAcquire() { return .acquired(held) }
        return .busy
    }
}
