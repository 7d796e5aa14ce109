/// What joining the line gave (``RunQueue/join(caller:settings:tryLock:)``).
public enum QueueJoin {
    /// The line was empty and the run lock free: taken at once, no ticket.
    case acquired(any HeldRunLock)
    /// The line is full, or the caller already holds its places in it.
    case full
    /// A place in the line.
    case waiting(any QueueTicket)
}
