import Glibc

/// One claude run: what to ask, with which agent, for which request.
public struct ClaudeInvocation: Sendable, Equatable {
    /// Names the run in logs and the audit log.
    public var requestID: String
    /// The model the client asked for (echoed, and recorded in the audit log).
    public var model: String
    public var prompt: String
    /// `nil` runs plain claude (no `--agent`).
    public var agent: String?

    public init(requestID: String = "", model: String = "", prompt: String, agent: String?) {
        self.requestID = requestID
        self.model = model
        self.prompt = prompt
        self.agent = agent
    }
}

/// Fixed settings of every run.
public struct ClaudeSettings: Sendable, Equatable {
    /// The claude executable: a path, or a name looked up on the child's `PATH`.
    public var executable: String
    public var workingDirectory: String
    /// Passed as `--max-budget-usd`, as written in the configuration.
    public var maxBudgetUSD: String
    public var timeoutSeconds: Double
    public var killGraceSeconds: Double
    /// The scrubbed environment (see ``ChildEnvironment``).
    public var environment: [String: String]

    public init(executable: String, workingDirectory: String, maxBudgetUSD: String, timeoutSeconds: Double, killGraceSeconds: Double, environment: [String: String]) {
        self.executable = executable
        self.workingDirectory = workingDirectory
        self.maxBudgetUSD = maxBudgetUSD
        self.timeoutSeconds = timeoutSeconds
        self.killGraceSeconds = killGraceSeconds
        self.environment = environment
    }
}

/// Runs claude once, under the run lock the caller holds, and says how it went.
public protocol ClaudeRunning: Sendable {
    /// - Parameters:
    ///   - lock: the held run lock; the run keeps it until every process of the run is gone.
    ///   - cancelOn: a descriptor whose end of file (the client hung up) stops the run.
    func run(_ invocation: ClaudeInvocation, lock: any HeldRunLock, cancelOn: Int32?) -> ClaudeOutcome
}

/// The claude CLI as a child process: `claude -p --output-format json --no-session-persistence
/// [--agent A] --max-budget-usd B`, the prompt on stdin (never an argument: no prompt can become a
/// flag, and there is no ARG_MAX limit), stdin then closed.
public struct ClaudeProcess: Sendable {
    public let settings: ClaudeSettings
    let launcher: any ProcessLauncher
    /// When set, claude is started through `<wrapper> exec-child --parent-pid=<us> -- <claude> …`
    /// (see ``ProcessControl/execDyingWithParent(parentPID:path:arguments:)``).
    let dieWithParentWrapper: String?

    public init(settings: ClaudeSettings, launcher: any ProcessLauncher = PosixProcessLauncher(), dieWithParentWrapper: String? = nil) {
        self.settings = settings
        self.launcher = launcher
        self.dieWithParentWrapper = dieWithParentWrapper
    }

    /// The argument vector after the executable.
    public func arguments(for invocation: ClaudeInvocation) -> [String] {
        var arguments = ["-p", "--output-format", "json", "--no-session-persistence"]
        if let agent = invocation.agent { arguments += ["--agent", agent] }
        arguments += ["--max-budget-usd", settings.maxBudgetUSD]
        return arguments
    }

    /// Runs claude to its end, its timeout, or until `cancelOn` signals.
    public func run(_ invocation: ClaudeInvocation, cancelOn: Int32? = nil) -> ClaudeOutcome {
        var spec = ProcessSpec(
            executable: settings.executable,
            arguments: arguments(for: invocation),
            environment: settings.environment,
            workingDirectory: settings.workingDirectory,
            stdin: Array(invocation.prompt.utf8)
        )
        let limits = ProcessLimits(timeoutSeconds: settings.timeoutSeconds, killGraceSeconds: settings.killGraceSeconds)
        do {
            if let dieWithParentWrapper {
                // Resolved here, so that a missing claude is still reported as such.
                let claude = try PosixProcessLauncher().resolve(settings.executable, path: settings.environment["PATH"] ?? "")
                spec.arguments = ["exec-child", "--parent-pid=\(getpid())", "--", claude] + spec.arguments
                spec.executable = dieWithParentWrapper
                // exec-child lives for a few system calls; the Swift runtime's crash handler set-up would
                // be a quarter of its cost (about 1 ms of every run).
                spec.environment["SWIFT_BACKTRACE"] = "enable=no"
            }
            let result = try launcher.run(spec, limits: limits, cancelOn: cancelOn)
            return ClaudeOutputInterpreter.interpret(result, timeoutSeconds: settings.timeoutSeconds)
        } catch {
            return .failed(detail: ClaudeOutputInterpreter.describe(error), report: nil)
        }
    }
}
