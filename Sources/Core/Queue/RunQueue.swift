/// The first-come-first-served line for the run lock, shared by every worker process.
public protocol RunQueue: Sendable {
    /// Takes a place at the end of the line for `caller`. When the line is empty, `tryLock` is tried
    /// first and its lock returned without a ticket; a newcomer never passes anyone in line.
    /// - Parameters:
    ///   - settings: `length` (most places in the line) and `perCaller` (most places of one caller).
    ///   - tryLock: the run lock's non-blocking attempt.
    func join(caller: String, settings: QueueSettings,
              tryLock: () throws(RunLockError) -> (any HeldRunLock)?) throws(RunLockError) -> QueueJoin
}
