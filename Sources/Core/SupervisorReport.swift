import FoundationEssentials

/// How a supervised run ended, as the supervisor writes it (one JSON line on its stdout) and the
/// worker reads it back into a ``ClaudeOutcome``.
struct SupervisorReport: Codable, Equatable {
    var outcome: String
    var text: String?
    var detail: String?
    var promptTokens: Int?
    var completionTokens: Int?
    var costUSD: Double?
    var exitCode: Int32?

    init(_ outcome: ClaudeOutcome) {
        self.outcome = outcome.name
        switch outcome {
        case .succeeded(let text, _): self.text = text
        case .failed(let detail, _), .timedOut(let detail, _): self.detail = detail
        case .cancelled: break
        }
        if let report = outcome.report {
            promptTokens = report.usage.promptTokens
            completionTokens = report.usage.completionTokens
            costUSD = report.costUSD
            exitCode = report.exitCode
        }
    }

    var claudeOutcome: ClaudeOutcome? {
        let report = ClaudeReport(
            usage: TokenUsage(promptTokens: promptTokens ?? 0, completionTokens: completionTokens ?? 0),
            costUSD: costUSD, exitCode: exitCode)
        switch outcome {
        case "ok": return text.map { .succeeded(text: $0, report: report) }
        case "failed": return .failed(detail: detail ?? "claude failed", report: report)
        case "timed_out": return .timedOut(detail: detail ?? "timed out", report: report)
        case "cancelled": return .cancelled(report: report)
        default: return nil
        }
    }

    var line: [UInt8] { JSONBody.encode(self) + [UInt8(ascii: "\n")] }

    static func parse(_ bytes: [UInt8]) -> SupervisorReport? {
        try? JSONDecoder().decode(SupervisorReport.self, from: Data(bytes))
    }
}
