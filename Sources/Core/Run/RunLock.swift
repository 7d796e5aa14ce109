/// The one-run-at-a-time lock shared by every worker process.
public protocol RunLock: Sendable {
    /// Takes the lock without waiting. Returns a held lock, or `nil` when another run holds it.
    func tryAcquire() throws(RunLockError) -> (any HeldRunLock)?
}

/// A lock that is held until ``release()`` is called (or every process holding it has exited).
public protocol HeldRunLock: AnyObject {
    /// The descriptor that carries the lock, to hand to the run's supervisor; `nil` for locks that
    /// are not descriptors.
    var descriptor: Int32? { get }
    func release()
}
