/// A place in the line, held until ``leave()`` (or until its process is gone).
public protocol QueueTicket: AnyObject {
    /// Its number: smaller numbers came first.
    var number: UInt64 { get }
    /// A descriptor that polls readable when a place in the line was given up (so that a waiter need
    /// not poll the line often to notice it has come first); `nil` when there is none.
    var changes: Int32? { get }
    /// Whether no live ticket is ahead of this one. Tickets of dead waiters found ahead are removed.
    /// Once first, a ticket stays first: later tickets have larger numbers.
    func isFirst() throws(RunLockError) -> Bool
    /// Gives up the place; again is harmless.
    func leave()
}
