import Glibc

/// SIGTERM, SIGINT, SIGUSR1 and SIGUSR2 turned into a readable pipe (``SignalPipe``): the worker is asked to stop. USR1 is what
/// multiwatch sends its workers when it is stopped (its default "graceful" signal; Debian's multiwatch
/// 1.0.0 sends another signal than the one `-s` names, so the default is kept); USR2 is passed on by
/// multiwatch, which then starts a new worker in its place. INT is a Ctrl-C that reaches the pool's
/// process group (a pool started in a terminal): a stop like the others, not a death mid-request, which
/// multiwatch, not yet stopping, would answer with a new worker. The accept loop polls the pipe beside the
/// listening socket and accepts nothing more; a run in hand sees it too and may go on for
/// `--stop-timeout` seconds. The byte is never read: once it fired, the pipe stays readable.
public struct StopRequest: Sendable {
    /// Polls readable once a stop was asked for; -1 when no pipe could be made (the signals then
    /// keep their default action: the worker ends at once).
    public let descriptor: Int32

    /// Installs the handlers (with `SA_RESTART`, so that no other call of the worker is interrupted).
    /// Before `FCGX_Init`, which then leaves SIGUSR1 alone.
    public static func install() -> StopRequest {
        StopRequest(descriptor: SignalPipe.install([SIGTERM, SIGINT, SIGUSR1, SIGUSR2]))
    }

    /// True once a stop was asked for: a flag the handler set, read without a system call (the accept
    /// loop asks before every accept).
    public var isRequested: Bool {
        descriptor >= 0 && SignalPipe.hasFired
    }
}
