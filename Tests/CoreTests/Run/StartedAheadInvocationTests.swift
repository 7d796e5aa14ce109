import Glibc
import Testing
@testable import Core

/// A run in the form a warm spare is started in (``ClaudeInvocation/startedAhead``).
@Suite struct StartedAheadInvocationTests {
    let command = ClaudeCommand(settings: testRunSettings.claude)

    @Test func aStartedAheadRunReadsAndWritesStreamJSONWithPartialMessages() {
        let invocation = ClaudeInvocation(requestID: "r", prompt: "Hello --agent x", agent: "triage", startedAhead: true)
        #expect(command.arguments(for: invocation) == [
            "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose", "--include-partial-messages",
            "--no-session-persistence", "--agent", "triage", "--max-budget-usd", "2.00",
        ])
        let spec = command.spec(for: invocation)
        #expect(spec.stdin == ClaudeUserMessage.line(prompt: "Hello --agent x", images: []))
        #expect(spec.stdin.last == UInt8(ascii: "\n"))
        guard case .object(let line)? = JSONValue.parse(Array(spec.stdin.dropLast())),
              case .object(let message)? = line["message"], case .array(let content)? = message["content"] else {
            Issue.record("not a user message: \(String(decoding: spec.stdin, as: UTF8.self))")
            return
        }
        #expect(line["type"] == .string("user"))
        #expect(content == [.object(["type": .string("text"), "text": .string("Hello --agent x")])])
    }

    @Test func startedAheadOrNotTheProcessDiffersOnlyInItsForm() {
        let cold = command.process(for: ClaudeInvocation(prompt: "p", agent: "triage"))
        let ahead = command.process(for: ClaudeInvocation(prompt: "p", agent: "triage", startedAhead: true))
        #expect(cold != ahead)
        #expect(ahead.stdin.isEmpty, "the process is compared without what it reads")
        #expect(ahead.executable == cold.executable && ahead.environment == cold.environment && ahead.workingDirectory == cold.workingDirectory)
    }

    @Test func aStartedAheadRunThatDoesNotStreamSendsNoTextAndAnswersFromTheResultLine() {
        let launcher = FakeLauncher()
        launcher.answer("/usr/bin/claude", FakeLauncher.exited(0, stdout: [StreamJSON.start("m1"), StreamJSON.delta("Hello world"),
                                                                         StreamJSON.assistant("m1", "Hello world"), StreamJSON.result].joined(separator: "\n") + "\n"))
        var pieces: [[UInt8]] = []
        let outcome = ClaudeCommand(settings: testRunSettings.claude, launcher: launcher)
            .run(ClaudeInvocation(prompt: "p", agent: nil, startedAhead: true), onText: { pieces.append($0) })
        #expect(pieces.isEmpty)
        guard case .succeeded(let text, _) = outcome else {
            Issue.record("not a success: \(outcome)")
            return
        }
        #expect(text == "Hello world")
        #expect(launcher.started.first?.arguments.contains("--input-format") == true)
    }
}

/// RunAdmission leaves a budget the cap leaves whole as written, so that the run can be the warm spare's.
@Suite final class RunAdmissionBudgetTextTests {
    let scratch = ScratchDirectory("admission-budget")

    deinit { scratch.remove() }

    func admitted(budget: String, dailyUSD: Double?) throws -> RunPlan {
        let settings = CallerSettings(spendDirectory: scratch.path + "/spend")
        let admission = RunAdmission(ledger: try FileSpendLedger(settings: settings), settings: settings, clock: FixedClock())
        var plan = RunPlan(invocation: ClaudeInvocation(prompt: "p", agent: nil), claude: testRunSettings.claude,
                           gitSync: GitSyncSettings(mode: .off), stateDirectory: scratch.path, kind: .chat)
        plan.claude.maxBudgetUSD = budget
        try admission.admit(&plan, for: Caller(name: "alice", limits: CallerLimits(dailyUSD: dailyUSD)))
        return plan
    }

    @Test func aCapThatLeavesTheWholeBudgetKeepsItAsWritten() throws {
        let plan = try admitted(budget: "2.00", dailyUSD: 10)
        #expect(plan.claude.maxBudgetUSD == "2.00")
        #expect(plan.spend?.hold.budgetUSD == 2)
    }

    @Test func aCapThatLeavesLessLowersTheBudget() throws {
        let plan = try admitted(budget: "2.00", dailyUSD: 1.5)
        #expect(plan.claude.maxBudgetUSD == "1.5")
        #expect(plan.spend?.hold.budgetUSD == 1.5)
    }

    @Test func anUncappedCallerKeepsTheBudget() throws {
        let plan = try admitted(budget: "2.00", dailyUSD: nil)
        #expect(plan.claude.maxBudgetUSD == "2.00")
        #expect(plan.spend == nil)
    }

    @Test(arguments: ["2.01", "4.02", "8.03"])
    func aWholeBudgetOfAnyAmountIsKeptAsWritten(_ budget: String) throws {
        let plan = try admitted(budget: budget, dailyUSD: 100)
        #expect(plan.claude.maxBudgetUSD == budget)
    }
}
