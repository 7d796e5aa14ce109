import CLinux
import Glibc

/// The life of one started child, in one `poll(2)` loop: feeds its stdin, reads its stdout and stderr,
/// watches a cancel descriptor, and on timeout or cancel sends SIGTERM to its process group, then
/// SIGKILL after the grace; reaps it at the end.
struct ProcessPump {
    let pid: pid_t
    var pipes: ChildPipes
    let limits: ProcessLimits

    private enum StopPhase { case running, terminating, killed }

    mutating func run(stdin: [UInt8], cancelOn: [Int32], onStdout: ((UnsafeRawBufferPointer) -> Void)?) -> ProcessResult {
        var stdout = OutputBuffer(limit: limits.maxStdoutBytes, keepTail: false)
        var stderr = OutputBuffer(limit: limits.stderrTailBytes, keepTail: true)
        let stdoutSink: (UnsafeRawBufferPointer) -> Void = onStdout ?? { stdout.append($0) }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        func drain(_ fd: Int32, _ sink: (UnsafeRawBufferPointer) -> Void) -> Bool { Descriptor.readAvailable(fd, using: &chunk, into: sink) }
        var written = 0
        if stdin.isEmpty { Descriptor.close(&pipes.stdin.writeEnd) }
        var deadline = Monotonic.now() + limits.timeoutSeconds
        var phase = StopPhase.running
        var timedOut = false
        var cancelled = false
        var watched = cancelOn.filter { $0 >= 0 }
        let exited = clinux_pidfd_open(pid)
        defer { if exited >= 0 { close(exited) } }

        while true {
            let now = Monotonic.now()
            if now >= deadline || (cancelled && phase == .running) {
                switch phase {
                case .running:
                    timedOut = !cancelled
                    kill(-pid, SIGTERM)
                    phase = .terminating
                    deadline = now + limits.killGraceSeconds
                case .terminating:
                    kill(-pid, SIGKILL)
                    phase = .killed
                    deadline = .infinity
                case .killed:
                    break
                }
            }
            if ProcessExit.hasExited(pid) {
                // Read what is already in the pipes, then stop: a descendant may hold them open.
                if pipes.stdout.readEnd >= 0 && !drain(pipes.stdout.readEnd, stdoutSink) { Descriptor.close(&pipes.stdout.readEnd) }
                if pipes.stderr.readEnd >= 0 && !drain(pipes.stderr.readEnd, { stderr.append($0) }) { Descriptor.close(&pipes.stderr.readEnd) }
                break
            }
            var set = PollSet()
            set.watch(pipes.stdin.writeEnd, for: .writable)
            set.watch(pipes.stdout.readEnd, for: .readable)
            set.watch(pipes.stderr.readEnd, for: .readable)
            for fd in watched { set.watch(fd, for: [.readable, .peerClosed]) }
            set.watch(exited, for: .readable)
            // Without an exit descriptor, wake every 50 ms to notice the child's exit while a
            // descendant holds a pipe.
            let tick = exited >= 0 ? 1.0 : 0.05
            let ready: PollSet.Ready
            do {
                ready = try set.wait(seconds: min(tick, deadline - Monotonic.now()))
            } catch {
                // poll(2) of our own descriptors fails only for want of memory: wait the tick rather than
                // spin, and go on; the deadlines still stop the child.
                Monotonic.sleep(min(tick, max(0, deadline - Monotonic.now())))
                ready = .none
            }
            if ready.contains(pipes.stdin.writeEnd) {
                written = pipes.writeStdin(stdin, from: written)
            }
            if ready.contains(pipes.stdout.readEnd) && !drain(pipes.stdout.readEnd, stdoutSink) {
                Descriptor.close(&pipes.stdout.readEnd)
            }
            if ready.contains(pipes.stderr.readEnd) && !drain(pipes.stderr.readEnd, { stderr.append($0) }) {
                Descriptor.close(&pipes.stderr.readEnd)
            }
            for fd in watched where ready.contains(fd) {
                // End of file (or a byte on a pipe) means cancel; data on a socket only stops the watch.
                if ProcessExit.isCancelSignal(fd) && phase == .running { cancelled = true }
                watched.removeAll { $0 == fd }
            }
        }
        // Whatever is left of the child's process group goes with it.
        kill(-pid, SIGKILL)
        let termination = ProcessExit.reap(pid)
        pipes.closeAll()
        return ProcessResult(termination: termination, stdout: stdout.bytes, stderr: stderr.bytes, timedOut: timedOut, cancelled: cancelled)
    }
}
