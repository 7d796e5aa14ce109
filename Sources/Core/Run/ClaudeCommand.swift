/// The claude CLI as a child process: `claude -p --output-format json [--resume S --fork-session]
/// --no-session-persistence | --session-id K [--agent A] [--effort E] [--json-schema SCHEMA]
/// --max-budget-usd B` (a session is kept, under the id K chosen for it, only by a run that asks to), the prompt on stdin (never an argument: no
/// prompt can become a flag, and there is no ARG_MAX limit), stdin then closed. claude dies with the
/// process that started it (its supervisor).
///
/// A run that streams its text uses `--output-format stream-json --verbose --include-partial-messages`
/// instead and reports the text as it comes (``ClaudeStreamReader``); its outcome is read from the
/// result line as for `json`. A run with images is given its prompt as a stream-json message
/// (`--input-format stream-json`, ``ClaudeUserMessage``), which needs stream-json output; so is a run
/// started ahead of its prompt (a warm spare's: ``ClaudeInvocation/startedAhead``).
public struct ClaudeCommand: Sendable {
    public let settings: ClaudeSettings
    let launcher: any ProcessLauncher

    public init(settings: ClaudeSettings, launcher: any ProcessLauncher = PosixProcessLauncher()) {
        self.settings = settings
        self.launcher = launcher
    }

    /// The argument vector after the executable.
    public func arguments(for invocation: ClaudeInvocation) -> [String] {
        var arguments = ["-p"]
        if invocation.readsStreamJSON { arguments += ["--input-format", "stream-json"] }
        arguments += invocation.writesStreamJSON ? ["--output-format", "stream-json", "--verbose"] : ["--output-format", "json"]
        if invocation.writesPartialMessages { arguments.append("--include-partial-messages") }
        if let session = invocation.resumesSession { arguments += ["--resume", session, "--fork-session"] }
        if let kept = invocation.keptSession { arguments += ["--session-id", kept] } else { arguments.append("--no-session-persistence") }
        if let agent = invocation.agent { arguments += ["--agent", agent] }
        if let effort = invocation.effort { arguments += ["--effort", effort.rawValue] }
        // The schema is one argument of its own (no shell, never in the prompt).
        if let schema = invocation.jsonSchema { arguments += ["--json-schema", schema] }
        arguments += ["--max-budget-usd", settings.maxBudgetUSD]
        return arguments
    }

    /// The process to start for an invocation.
    public func spec(for invocation: ClaudeInvocation) -> ProcessSpec {
        var spec = process(for: invocation)
        spec.stdin = stdin(for: invocation)
        return spec
    }

    /// The process to start for an invocation, without what it reads (empty stdin): what a process
    /// started ahead of its prompt is compared by.
    public func process(for invocation: ClaudeInvocation) -> ProcessSpec {
        ProcessSpec(
            executable: settings.executable, arguments: arguments(for: invocation), environment: settings.environment,
            workingDirectory: settings.workingDirectory, stdin: [], diesWithParent: true)
    }

    /// What claude reads: the prompt, or the stream-json message that carries it with its images.
    func stdin(for invocation: ClaudeInvocation) -> [UInt8] {
        invocation.readsStreamJSON ? ClaudeUserMessage.line(prompt: invocation.prompt, images: invocation.images) : Array(invocation.prompt.utf8)
    }

    /// Runs claude to its end, its timeout, or until one of `cancelOn` signals. A run that streams
    /// its text hands each piece the client may see to `onText` as it comes.
    public func run(_ invocation: ClaudeInvocation, cancelOn: [Int32] = [], onText: (([UInt8]) -> Void)? = nil) -> ClaudeOutcome {
        let limits = ProcessLimits(timeoutSeconds: settings.timeoutSeconds, killGraceSeconds: settings.killGraceSeconds)
        do {
            if invocation.writesStreamJSON {
                return try runStreaming(invocation, limits: limits, cancelOn: cancelOn, onText: onText ?? { _ in })
            }
            let result = try launcher.run(spec(for: invocation), limits: limits, cancelOn: cancelOn)
            return ClaudeOutputInterpreter.interpret(
                result, timeoutSeconds: settings.timeoutSeconds, expectsStructuredOutput: invocation.jsonSchema != nil)
        } catch {
            return .failed(detail: ClaudeOutputInterpreter.describe(error), report: nil)
        }
    }

    /// What a streamed run that the CLI retried with other words ends with.
    public static let divergedDetail = "the API failed mid-answer and claude's retry answered differently from the text already streamed"

    private func runStreaming(_ invocation: ClaudeInvocation, limits: ProcessLimits, cancelOn: [Int32],
                              onText: @escaping ([UInt8]) -> Void) throws(SpawnError) -> ClaudeOutcome {
        var reader = ClaudeStreamReader(maxLineBytes: limits.maxStdoutBytes)
        // Only a streamed answer's text goes anywhere before the end (a run with images alone reads stream-json too).
        let streams = invocation.streamsText
        let send = streams ? onText : { _ in }
        // A retry that diverged stops the run: nothing it says can reach the client any more.
        var stop = streams ? try? Pipe.make() : nil
        defer { stop?.close() }
        var stopped = false
        var result = try launcher.run(spec(for: invocation), limits: limits, cancelOn: cancelOn + [stop?.readEnd].compactMap { $0 }) { bytes in
            reader.feed(bytes, send: send)
            if streams, reader.text.diverged && !stopped, let stop {
                stopped = Descriptor.writeAll(stop.writeEnd, [1])
            }
        }
        reader.finish(send: send)
        result.stdout = reader.resultLine ?? []
        let outcome = ClaudeOutputInterpreter.interpret(
            result, timeoutSeconds: settings.timeoutSeconds, expectsStructuredOutput: invocation.jsonSchema != nil)
        guard streams else { return outcome }
        // Whether it was stopped or ended first: the client did not get the answer.
        if reader.text.diverged, case .succeeded = outcome {
            return .failed(detail: Self.divergedDetail, report: outcome.report)
        }
        if reader.text.diverged, case .cancelled(let report) = outcome, stopped {
            return .failed(detail: Self.divergedDetail, report: report)
        }
        return outcome
    }
}
