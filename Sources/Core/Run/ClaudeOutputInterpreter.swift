/// Reads a finished claude process: its JSON result, exit status and stderr, into a ``ClaudeOutcome``.
///
/// `is_error: true` is a failure whatever the exit code (API failures arrive as subtype `success` with
/// `is_error` true). Stdout that is not JSON is taken as the answer text when the exit code is 0.
///
/// A run given `--json-schema` succeeds only with a `structured_output` value, whose compact JSON text
/// is then the answer: the CLI reports success without one when the model answered in text twice, or
/// when the agent's `tools:` list leaves out the `StructuredOutput` tool.
public enum ClaudeOutputInterpreter {
    public static func interpret(_ result: ProcessResult, timeoutSeconds: Double, expectsStructuredOutput: Bool = false) -> ClaudeOutcome {
        let json = resultObject(in: result.stdout)
        var report = json.map { self.report(from: $0) } ?? ClaudeReport()
        if case .exited(let code) = result.termination { report.exitCode = code }

        if result.cancelled {
            return .cancelled(report: report)
        }
        if result.timedOut {
            return .timedOut(detail: "timed out after \(NumberText.short(timeoutSeconds)) s", report: report)
        }
        if let json {
            let message = cliMessage(json)
            if json["is_error"] == .bool(true) || isErrorSubtype(json) {
                return .failed(detail: clean(message ?? "claude reported an error\(exitSuffix(result))"), report: report)
            }
            if result.termination != .exited(0) {
                return .failed(detail: clean(message.map { "\($0)\(exitSuffix(result))" } ?? result.failureDetail(subject: "claude")), report: report)
            }
            if expectsStructuredOutput {
                return structuredAnswer(json, report: report)
            }
            guard case .string(let text)? = json["result"] else {
                return .failed(detail: "claude's result had no text", report: report)
            }
            return .succeeded(text: text, report: report)
        }
        guard result.termination == .exited(0) else {
            // The stage before the run: arguments refused, nothing on stdout, one line on stderr.
            if result.termination == .exited(1), result.stdout.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }),
               let message = result.lastStderrLine {
                return .refused(message: clean(String(message)), report: report)
            }
            return .failed(detail: result.failureDetail(subject: "claude"), report: report)
        }
        if expectsStructuredOutput {
            return .failed(detail: "no structured output: claude's output was not its JSON result", report: report)
        }
        let text = String(decoding: result.stdout, as: UTF8.self).trimmingWhitespace()
        guard !text.isEmpty else {
            return .failed(detail: "claude produced no output", report: report)
        }
        return .succeeded(text: text, report: report)
    }

    /// The `structured_output` value as compact JSON text: the CLI's `result`, which is that text with
    /// the model's key order, when it holds the same value; the value written anew otherwise.
    static func structuredAnswer(_ json: JSONObject, report: ClaudeReport) -> ClaudeOutcome {
        guard let value = json["structured_output"] else {
            var detail = "no structured output: the model answered in text instead of calling the StructuredOutput tool"
                + " (an agent with a tools: list must include StructuredOutput)"
            if case .string(let text)? = json["result"], !text.isEmpty { detail += ": " + text }
            return .failed(detail: clean(detail), report: report)
        }
        if case .string(let text)? = json["result"], JSONValue.parse(Array(text.utf8)) == value {
            return .succeeded(text: text, report: report)
        }
        return .succeeded(text: value.compactText, report: report)
    }

    /// The detail for a run that could not start.
    public static func describe(_ error: SpawnError) -> String {
        switch error {
        case .notFound(let path): clean("claude not found at \(path)")
        case .notExecutable(let path): clean("claude at \(path) is not executable")
        case .failed(let reason): clean("claude could not be started: \(reason)")
        }
    }

    /// The CLI's result object: stdout as one JSON object, or the last `"type":"result"` element of an
    /// array (as `--verbose` prints).
    static func resultObject(in stdout: [UInt8]) -> JSONObject? {
        switch JSONValue.parse(stdout) {
        case .object(let object)?:
            return object
        case .array(let items)?:
            for case .object(let object) in items.reversed() where object["type"] == .string("result") {
                return object
            }
            return nil
        default:
            return nil
        }
    }

    static func report(from json: JSONObject) -> ClaudeReport {
        var usage = TokenUsage.zero
        if case .object(let counts)? = json["usage"] {
            func count(_ key: String) -> Int {
                if case .integer(let value)? = counts[key], value >= 0, value <= Int64(Int32.max) { return Int(value) }
                return 0
            }
            usage = TokenUsage(
                inputTokens: count("input_tokens"), cacheCreationTokens: count("cache_creation_input_tokens"),
                cacheReadTokens: count("cache_read_input_tokens"), outputTokens: count("output_tokens"))
        }
        var cost: Double?
        switch json["total_cost_usd"] {
        case .double(let value)?: cost = value
        case .integer(let value)?: cost = Double(value)
        default: cost = nil
        }
        return ClaudeReport(usage: usage, costUSD: cost)
    }

    /// The CLI's own words: `errors` on error subtypes, else `result`.
    static func cliMessage(_ json: JSONObject) -> String? {
        if case .array(let errors)? = json["errors"] {
            let texts = errors.compactMap { if case .string(let text) = $0 { text } else { nil } }
            if !texts.isEmpty { return texts.joined(separator: "; ") }
        }
        if case .string(let text)? = json["result"], !text.isEmpty { return text }
        return nil
    }

    static func isErrorSubtype(_ json: JSONObject) -> Bool {
        if case .string(let subtype)? = json["subtype"] { return subtype.hasPrefix("error") }
        return false
    }

    static func exitSuffix(_ result: ProcessResult) -> String {
        switch result.termination {
        case .exited(0), .exited(1): ""
        case .exited(let code): " (exit code \(code))"
        case .signaled(let signal): " (signal \(signal))"
        }
    }

    static func clean(_ text: String) -> String { OneLine.clean(text) }
}
