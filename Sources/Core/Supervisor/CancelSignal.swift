import Glibc

/// SIGTERM, SIGINT and SIGHUP turned into a readable pipe, so that a run's poll loop sees them and
/// stops the run the way a timeout does. Installed once, in a run's supervisor.
struct CancelSignal {
    /// Polls readable once a signal came (or ``trigger()`` was called); -1 when no pipe could be made.
    let descriptor: Int32

    static func install() -> CancelSignal {
        CancelSignal(descriptor: SignalPipe.install([SIGTERM, SIGINT, SIGHUP]))
    }

    func trigger() {
        SignalPipe.trigger()
    }
}
