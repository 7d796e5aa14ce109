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
    public let gitSync: GitSync
    let launcher: any ProcessLauncher
    /// Receives each line the supervisor wrote to its stderr (warnings for the worker's log).
    let log: @Sendable (String) -> Void

    public init(supervisorExecutable: String, settings: ClaudeSettings, stateDirectory: String, gitSync: GitSync,
                launcher: any ProcessLauncher = PosixProcessLauncher(), log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.supervisorExecutable = supervisorExecutable
        self.settings = settings
        self.stateDirectory = stateDirectory
        self.gitSync = gitSync
        self.launcher = launcher
        self.log = log
    }

    /// The supervisor's options for one run.
    public func options(for invocation: ClaudeInvocation) -> SupervisorOptions {
        SupervisorOptions(settings: settings, stateDirectory: stateDirectory, invocation: invocation,
                          gitSyncMode: gitSync.mode, gitTimeoutSeconds: gitSync.timeoutSeconds, parentPID: getpid())
    }

    public func run(_ invocation: ClaudeInvocation, lock: any HeldRunLock, cancelOn: Int32?) -> ClaudeOutcome {
        guard let lockDescriptor = lock.descriptor else {
            return .failed(detail: "internal error: the run lock has no descriptor to hand over", report: nil)
        }
        let spec = ProcessSpec(
            executable: supervisorExecutable,
            arguments: options(for: invocation).arguments,
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
