/// How a wait for the run lock ended (``RunGate/acquire(caller:connection:onWait:)``).
public enum QueueWaitResult {
    /// The run lock, held: the run may start.
    case acquired(any HeldRunLock)
    /// No run: the line was full, the caller held all its places in it, or the wait was over.
    case busy
    /// The client went away while waiting (its connection's end of file, or `onWait` said so).
    case hungUp
}
