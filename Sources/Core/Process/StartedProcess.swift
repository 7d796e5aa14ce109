import Glibc

/// A child started ahead of its input (``PosixProcessLauncher/start(_:)``): its pipes open, nothing
/// written to its stdin yet. It either runs on as a launched process would have from the start
/// (``run(stdin:limits:cancelOn:onStdout:)``), or is retired unused (``retire(within:)``); either
/// reaps it, and neither may be called twice.
public struct StartedProcess {
    public let pid: pid_t
    var pipes: ChildPipes

    /// The descriptors that poll readable once it writes its output or exits: a waiting process does
    /// neither. (Not stderr: a warning written there at start is no answer; it is read with the run's.)
    public var watched: [Int32] { [pipes.stdout.readEnd].filter { $0 >= 0 } }

    /// Whether it is still waiting for its input: alive, and nothing written to stdout or closed.
    public var isWaiting: Bool {
        guard !ProcessExit.hasExited(pid) else { return false }
        var set = PollSet()
        for fd in watched { set.watch(fd, for: .readable) }
        guard let ready = try? set.wait(seconds: 0) else { return false }
        return ready.isEmpty
    }

    /// Gives it `stdin` and runs it to its end as ``ProcessLauncher/run(_:limits:cancelOn:onStdout:)``
    /// does; the time limit counts from now.
    public mutating func run(stdin: [UInt8], limits: ProcessLimits, cancelOn: [Int32],
                             onStdout: ((UnsafeRawBufferPointer) -> Void)?) -> ProcessResult {
        var pump = ProcessPump(pid: pid, pipes: handOver(), limits: limits)
        return pump.run(stdin: stdin, cancelOn: cancelOn, onStdout: onStdout)
    }

    /// Ends it unused: closes its stdin (a claude waiting for its first line then exits, having sent
    /// nothing), gives it `seconds` to exit, then stops its process group as on a timeout; reaps it.
    @discardableResult
    public mutating func retire(within seconds: Double) -> ProcessResult {
        run(stdin: [], limits: ProcessLimits(timeoutSeconds: seconds, killGraceSeconds: 1), cancelOn: [], onStdout: { _ in })
    }

    /// The pipes, for the one pump that ends it; this value keeps only closed ends.
    private mutating func handOver() -> ChildPipes {
        let pipes = self.pipes
        self.pipes = ChildPipes(stdin: Pipe(readEnd: -1, writeEnd: -1), stdout: Pipe(readEnd: -1, writeEnd: -1),
                                stderr: Pipe(readEnd: -1, writeEnd: -1))
        return pipes
    }
}
