import Glibc

/// Runs claude through a per-run supervisor process (see ``RunSupervisor``): the worker side.
///
/// The supervisor gets the run lock's descriptor as fd 3, the prompt on stdin and the scrubbed
/// environment; it answers with one JSON line. When the client hangs up (`cancelOn` reaches end of
/// file) the supervisor gets SIGTERM and stops the run; when the worker dies it gets SIGTERM from the
/// kernel. The worker's own time limit is only a backstop above the supervisor's.
public struct SupervisedClaudeRunner: ClaudeRunning {
    /// The worker's own executable, run as `claude-fcgi supervise …`.
    public let supervisorExecutable: String
    public let settings: ClaudeSettings
    public let stateDirectory: String
    let launcher: any ProcessLauncher
    /// Receives each line the supervisor wrote to its stderr (warnings for the worker's log).
    let log: @Sendable (String) -> Void

    public init(supervisorExecutable: String, settings: ClaudeSettings, stateDirectory: String,
                launcher: any ProcessLauncher = PosixProcessLauncher(), log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.supervisorExecutable = supervisorExecutable
        self.settings = settings
        self.stateDirectory = stateDirectory
        self.launcher = launcher
        self.log = log
    }

    /// The supervisor's arguments. Values go as `--name=value`, so that none can be read as an option.
    public func arguments(for invocation: ClaudeInvocation) -> [String] {
        var arguments = [
            "supervise",
            "--claude=\(settings.executable)",
            "--workdir=\(settings.workingDirectory)",
            "--state-dir=\(stateDirectory)",
            "--max-budget-usd=\(settings.maxBudgetUSD)",
            "--timeout=\(settings.timeoutSeconds)",
            "--kill-grace=\(settings.killGraceSeconds)",
            "--request-id=\(invocation.requestID)",
            "--model=\(invocation.model)",
            "--parent-pid=\(getpid())",
        ]
        if let agent = invocation.agent { arguments.append("--agent=\(agent)") }
        return arguments
    }

    public func run(_ invocation: ClaudeInvocation, lock: any HeldRunLock, cancelOn: Int32?) -> ClaudeOutcome {
        guard let lockDescriptor = lock.descriptor else {
            return .failed(detail: "internal error: the run lock has no descriptor to hand over", report: nil)
        }
        let spec = ProcessSpec(
            executable: supervisorExecutable,
            arguments: arguments(for: invocation),
            environment: settings.environment,
            workingDirectory: settings.workingDirectory,
            stdin: Array(invocation.prompt.utf8),
            inherited: [3: lockDescriptor]
        )
        // The supervisor enforces the run's timeout; these limits only catch a supervisor that hangs.
        let limits = ProcessLimits(
            timeoutSeconds: settings.timeoutSeconds + settings.killGraceSeconds + 30,
            killGraceSeconds: settings.killGraceSeconds + 10)
        let result: ProcessResult
        do {
            result = try launcher.run(spec, limits: limits, cancelOn: cancelOn)
        } catch {
            return .failed(detail: OneLine.clean("run supervisor could not be started: \(error)"), report: nil)
        }
        for line in String(decoding: result.stderr, as: UTF8.self).split(separator: "\n") {
            log(OneLine.clean(String(line), limit: 1000))
        }
        if let report = SupervisorReport.parse(result.stdout), let outcome = report.claudeOutcome {
            return outcome
        }
        if result.cancelled { return .cancelled(report: nil) }
        return .failed(detail: ClaudeOutputInterpreter.failureDetail(result, subject: "the run supervisor"), report: nil)
    }
}
