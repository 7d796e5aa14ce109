import Glibc

/// Signals turned into a readable pipe (the self-pipe trick): each handler writes one byte to a
/// non-blocking pipe, which a poll loop watches. One per process: the worker's ``StopRequest`` and a
/// supervisor's `CancelSignal` both stand on it, and a forked supervisor, which ignores the worker's
/// other stop signals, installs its own over the one it inherited (whose pipe it has closed).
enum SignalPipe {
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    /// Set by the first handler that runs (or ``trigger()``): read without a system call.
    nonisolated(unsafe) private(set) static var hasFired = false

    /// Installs handlers (`signal`, so with `SA_RESTART`) for `signals`; returns the read end, or -1
    /// when no pipe could be made (the signals then keep their actions).
    static func install(_ signals: [Int32]) -> Int32 {
        guard var pipe = try? Pipe.make() else { return -1 }
        do {
            // A full pipe must not block a handler.
            try Descriptor.setNonBlocking(pipe.writeEnd)
        } catch {
            pipe.close()
            return -1
        }
        writeEnd = pipe.writeEnd
        for signalNumber in signals {
            // Not checked: `signal` fails only for a number that is no signal.
            signal(signalNumber) { _ in SignalPipe.trigger() }
        }
        return pipe.readEnd
    }

    /// What a handler does: makes the read end readable.
    static func trigger() {
        hasFired = true
        var byte: UInt8 = 1
        // Not checked, and no retry: a full pipe is readable already.
        _ = write(writeEnd, &byte, 1)
    }
}
