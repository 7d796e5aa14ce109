/// What the run endpoints share: the one-run-at-a-time lock, the clock, the ids, and how long a
/// client that finds the lock held is told to wait.
public struct RunGate: Sendable {
    public let lock: any RunLock
    public let clock: any WallClock
    public let ids: any IDGenerator
    /// Seconds in `Retry-After` of a busy answer.
    public let retryAfterSeconds: Int

    public init(lock: any RunLock, clock: any WallClock = SystemWallClock(), ids: any IDGenerator = RandomIDGenerator(),
                retryAfterSeconds: Int = 10) {
        self.lock = lock
        self.clock = clock
        self.ids = ids
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The held lock, or `nil` when another run holds it.
    public func tryAcquire() throws(RunLockError) -> (any HeldRunLock)? {
        try lock.tryAcquire()
    }
}
