/// The claude CLI as a child process: `claude -p --output-format json --no-session-persistence
/// [--agent A] [--json-schema SCHEMA] --max-budget-usd B`, the prompt on stdin (never an argument: no
/// prompt can become a flag, and there is no ARG_MAX limit), stdin then closed. claude dies with the
/// process that started it (its supervisor).
public struct ClaudeCommand: Sendable {
    public let settings: ClaudeSettings
    let launcher: any ProcessLauncher

    public init(settings: ClaudeSettings, launcher: any ProcessLauncher = PosixProcessLauncher()) {
        self.settings = settings
        self.launcher = launcher
    }

    /// The argument vector after the executable.
    public func arguments(for invocation: ClaudeInvocation) -> [String] {
        var arguments = ["-p", "--output-format", "json", "--no-session-persistence"]
        if let agent = invocation.agent { arguments += ["--agent", agent] }
        // The schema is one argument of its own (no shell, never in the prompt).
        if let schema = invocation.jsonSchema { arguments += ["--json-schema", schema] }
        arguments += ["--max-budget-usd", settings.maxBudgetUSD]
        return arguments
    }

    /// The process to start for an invocation.
    public func spec(for invocation: ClaudeInvocation) -> ProcessSpec {
        ProcessSpec(
            executable: settings.executable, arguments: arguments(for: invocation), environment: settings.environment,
            workingDirectory: settings.workingDirectory, stdin: Array(invocation.prompt.utf8), diesWithParent: true)
    }

    /// Runs claude to its end, its timeout, or until one of `cancelOn` signals.
    public func run(_ invocation: ClaudeInvocation, cancelOn: [Int32] = []) -> ClaudeOutcome {
        let limits = ProcessLimits(timeoutSeconds: settings.timeoutSeconds, killGraceSeconds: settings.killGraceSeconds)
        do {
            let result = try launcher.run(spec(for: invocation), limits: limits, cancelOn: cancelOn)
            return ClaudeOutputInterpreter.interpret(
                result, timeoutSeconds: settings.timeoutSeconds, expectsStructuredOutput: invocation.jsonSchema != nil)
        } catch {
            return .failed(detail: ClaudeOutputInterpreter.describe(error), report: nil)
        }
    }
}
