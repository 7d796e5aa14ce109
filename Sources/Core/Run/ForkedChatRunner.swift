import Glibc

/// The worker's side of a chat run: forks the run's supervisor (``SupervisorProcess``), hands each of
/// its events on as it arrives, and returns the outcome once the supervisor, and so every process of
/// the run, is gone.
///
/// When the client hangs up (`cancelOn` reaches end of file) the supervisor gets SIGTERM and stops the
/// run; when the worker dies it gets SIGTERM from the kernel. The worker's own time limit is only a
/// backstop above the supervisor's.
public struct ForkedChatRunner: ClaudeRunning {
    /// Writes a line to the worker's log (the supervisor's warnings).
    let log: @Sendable (String) -> Void

    public init(log: @escaping @Sendable (String) -> Void = { StandardError.writeLine($0) }) {
        self.log = log
    }

    public func run(_ plan: RunPlan, lock: any HeldRunLock, cancelOn: Int32?, onEvent: (RunEvent) -> Void) -> ClaudeOutcome {
        guard let lockDescriptor = lock.descriptor else {
            return .failed(detail: "internal error: the run lock has no descriptor to hand over", report: nil)
        }
        let started: SupervisorProcess.Started
        do {
            started = try SupervisorProcess.start(plan, lockDescriptor: lockDescriptor, log: log)
        } catch {
            return .failed(detail: OneLine.clean("run supervisor could not be started: \(error)"), report: nil)
        }
        Descriptor.setNonBlocking(started.events)
        let none = Pipe(readEnd: -1, writeEnd: -1)
        var pump = ProcessPump(
            pid: started.pid, pipes: ChildPipes(stdin: none, stdout: Pipe(readEnd: started.events, writeEnd: -1), stderr: none),
            limits: ProcessLimits(
                timeoutSeconds: plan.claude.timeoutSeconds + plan.claude.killGraceSeconds + plan.gitSync.timeoutSeconds + 40,
                killGraceSeconds: plan.claude.killGraceSeconds + 10))
        var decoder = RunEventCodec.Decoder()
        var outcome: ClaudeOutcome?
        var malformed: RunEventCodecError?
        let result = withoutActuallyEscaping(onEvent) { onEvent in
            pump.run(stdin: [], cancelOn: cancelOn) { chunk in
                guard malformed == nil else { return }
                decoder.feed(chunk)
                do throws(RunEventCodecError) {
                    while let event = try decoder.next() {
                        onEvent(event)
                        if let final = event.outcome { outcome = final }
                    }
                } catch {
                    malformed = error
                }
            }
        }
        if let outcome { return outcome }
        if let malformed { return .failed(detail: OneLine.clean(malformed.description), report: nil) }
        if result.cancelled { return .cancelled(report: nil) }
        return .failed(detail: result.failureDetail(subject: "the run supervisor"), report: nil)
    }
}
