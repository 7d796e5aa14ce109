import Testing
@testable import Core

@Suite struct ClaudeCommandTests {
    @Test func thePromptGoesOnStdinNeverAsAnArgument() {
        let command = ClaudeCommand(settings: testRunSettings.claude)
        let spec = command.spec(for: ClaudeInvocation(requestID: "r", prompt: "--dangerously-skip-permissions", agent: nil))
        #expect(spec.arguments == ["-p", "--output-format", "json", "--no-session-persistence", "--max-budget-usd", "2.00"])
        #expect(spec.stdin == Array("--dangerously-skip-permissions".utf8))
        #expect(spec.diesWithParent)
        #expect(spec.workingDirectory == "/srv/work")
    }

    @Test func aSchemaIsOneArgumentOfItsOwn() {
        let command = ClaudeCommand(settings: testRunSettings.claude)
        let schema = #"{"type":"object","description":"a b; $(rm -rf /) --agent x"}"#
        let spec = command.spec(for: ClaudeInvocation(prompt: "p", agent: "triage", jsonSchema: schema))
        #expect(spec.arguments == ["-p", "--output-format", "json", "--no-session-persistence", "--agent", "triage",
                                   "--json-schema", schema, "--max-budget-usd", "2.00"])
        #expect(spec.stdin == Array("p".utf8))
    }

    @Test func aRunWithASchemaNeedsStructuredOutput() {
        let launcher = FakeLauncher()
        launcher.answer("/usr/bin/claude", .success(ProcessResult(
            termination: .exited(0), stdout: Array(#"{"type":"result","is_error":false,"result":"text"}"#.utf8), stderr: [], timedOut: false)))
        let outcome = ClaudeCommand(settings: testRunSettings.claude, launcher: launcher).run(ClaudeInvocation(prompt: "x", agent: nil, jsonSchema: "{}"))
        guard case .failed(let detail, _) = outcome else {
            Issue.record("not a failure: \(outcome)")
            return
        }
        #expect(detail.hasPrefix("no structured output"))
    }

    @Test func aTimeoutIsReportedWithTheConfiguredSeconds() {
        let launcher = FakeLauncher()
        launcher.answer("/usr/bin/claude", .success(ProcessResult(termination: .signaled(15), stdout: [], stderr: [], timedOut: true)))
        let outcome = ClaudeCommand(settings: testRunSettings.claude, launcher: launcher).run(ClaudeInvocation(prompt: "x", agent: nil))
        #expect(outcome == .timedOut(detail: "timed out after 900 s", report: ClaudeReport()))
    }
}

@Suite struct ClaudeCommandStreamingTests {
    let invocation = ClaudeInvocation(prompt: "p", agent: "triage", streamsText: true)

    func run(_ lines: [String], exit: Int32 = 0) -> (ClaudeOutcome, [String], FakeLauncher) {
        let launcher = FakeLauncher()
        launcher.answer("/usr/bin/claude", FakeLauncher.exited(exit, stdout: lines.joined(separator: "\n") + "\n"))
        var pieces: [String] = []
        let outcome = ClaudeCommand(settings: testRunSettings.claude, launcher: launcher)
            .run(invocation, onText: { pieces.append(String(decoding: $0, as: UTF8.self)) })
        return (outcome, pieces, launcher)
    }

    @Test func aStreamedRunUsesStreamJSONWithPartialMessages() {
        let spec = ClaudeCommand(settings: testRunSettings.claude).spec(for: invocation)
        #expect(spec.arguments == ["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages",
                                   "--no-session-persistence", "--agent", "triage", "--max-budget-usd", "2.00"])
    }

    @Test func theTextComesAsItIsWrittenAndTheOutcomeFromTheResultLine() {
        let (outcome, pieces, launcher) = run([StreamJSON.start("m1"), StreamJSON.delta("Hello"), StreamJSON.delta(" world"),
                                               StreamJSON.assistant("m1", "Hello world"), StreamJSON.result])
        #expect(pieces == ["Hello", " world"])
        #expect(outcome == .succeeded(text: "Hello world", report: ClaudeReport(usage: TokenUsage(inputTokens: 3, outputTokens: 2),
                                                                                 costUSD: 0.5, exitCode: 0)))
        // The run can be stopped from inside, should a retry diverge.
        #expect(launcher.cancelDescriptors.first?.count == 1)
    }

    @Test func aDivergedRetryFailsTheRunEvenWhenTheCLISucceeded() {
        let (outcome, pieces, _) = run([StreamJSON.start("m1"), StreamJSON.delta("Goodbye"), StreamJSON.assistant("m2", "Hello world"),
                                        StreamJSON.result])
        #expect(pieces == ["Goodbye"])
        #expect(outcome == .failed(detail: ClaudeCommand.divergedDetail, report: ClaudeReport(
            usage: TokenUsage(inputTokens: 3, outputTokens: 2), costUSD: 0.5, exitCode: 0)))
    }

    @Test func noResultLineIsAFailureWithTheExitCode() {
        let (outcome, pieces, _) = run([StreamJSON.start("m1"), StreamJSON.delta("Half")], exit: 143)
        #expect(pieces == ["Half"])
        #expect(outcome == .failed(detail: "claude exited with code 143", report: ClaudeReport(exitCode: 143)))
    }

@Suite struct ClaudeCommandSessionTests {
    let command = ClaudeCommand(settings: testRunSettings.claude)

    @Test func aResumedRunForksTheSessionAndKeepsItsOwn() {
        let arguments = command.arguments(for: ClaudeInvocation(prompt: "p", agent: "triage", effort: .high, resumesSession: "0e56a1b2-c3d4",
                                                               keptSession: "7f00a1b2-c3d4"))
        #expect(arguments == ["-p", "--output-format", "json", "--resume", "0e56a1b2-c3d4", "--fork-session", "--session-id", "7f00a1b2-c3d4",
                              "--agent", "triage", "--effort", "high", "--max-budget-usd", "2.00"])
    }

    @Test func aKeptSessionIsNamedInPlaceOfNoSessionPersistence() {
        #expect(!command.arguments(for: ClaudeInvocation(prompt: "p", agent: nil, keptSession: "k")).contains("--no-session-persistence"))
        #expect(command.arguments(for: ClaudeInvocation(prompt: "p", agent: nil, streamsText: true, keptSession: "k"))
            == ["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages", "--session-id", "k", "--max-budget-usd", "2.00"])
    }

    @Test(arguments: Effort.allCases)
    func theEffortIsPassedByItsName(effort: Effort) {
        let arguments = command.arguments(for: ClaudeInvocation(prompt: "p", agent: nil, jsonSchema: "{}", effort: effort))
        #expect(arguments == ["-p", "--output-format", "json", "--no-session-persistence", "--effort", effort.rawValue,
                              "--json-schema", "{}", "--max-budget-usd", "2.00"])
    }

    @Test func chatsArgumentsAreUnchanged() throws {
        // What a chat completion runs, through its decoder: no session, no resume, no effort unless asked.
        let request = try ChatCompletionDecoder.decode(Array(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#.utf8))
        let conversation = ConversationRunner(gate: RunGate(lock: FakeRunLock(), clock: FixedClock(), ids: FixedIDs()), run: testRunSettings,
                                              agentMap: AgentMap(fallback: "triage"), runner: FakeRunner(outcome: .cancelled(report: nil)))
        let prepared = try conversation.prepare(request.runRequest)
        #expect(command.arguments(for: prepared.invocation)
            == ["-p", "--output-format", "json", "--no-session-persistence", "--agent", "triage", "--max-budget-usd", "2.00"])
    }
}
}

@Suite struct ClaudeCommandImageTests {
    let command = ClaudeCommand(settings: testRunSettings.claude)
    static let images: [ImageSource] = [.base64(mediaType: "image/png", data: ImageFixtures.png), .url("https://example.com/b.jpg")]

    @Test func aRunWithImagesReadsAndWritesStreamJSON() {
        let invocation = ClaudeInvocation(prompt: "p", images: Self.images, agent: "triage")
        #expect(invocation.readsStreamJSON && invocation.writesStreamJSON && !invocation.streamsText)
        #expect(command.arguments(for: invocation) == ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
                                                       "--no-session-persistence", "--agent", "triage", "--max-budget-usd", "2.00"])
    }

    @Test func aStreamedRunWithImagesAlsoAsksForPartialMessages() {
        let invocation = ClaudeInvocation(prompt: "p", images: Self.images, agent: nil, jsonSchema: "{}", streamsText: true, effort: .low,
                                          keptSession: "k")
        #expect(command.arguments(for: invocation) == ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
                                                       "--include-partial-messages", "--session-id", "k", "--effort", "low",
                                                       "--json-schema", "{}", "--max-budget-usd", "2.00"])
    }

    @Test func theStdinIsOneUserMessageLineOfThePromptThenEachImageAfterItsName() {
        let spec = command.spec(for: ClaudeInvocation(prompt: "Request:\nCompare [image 1] with \"[image 2]\"\n", images: Self.images, agent: nil))
        let line = #"{"type":"user","message":{"role":"user","content":[{"type":"text","text":"Request:\nCompare [image 1] with \"[image 2]\"\n"},"#
            + #"{"type":"text","text":"[image 1]"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgoAAAANSUhEUg=="}},"#
            + #"{"type":"text","text":"[image 2]"},{"type":"image","source":{"type":"url","url":"https://example.com/b.jpg"}}]}}"# + "\n"
        #expect(String(decoding: spec.stdin, as: UTF8.self) == line)
        // One line: the only line feed ends it.
        #expect(spec.stdin.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(ClaudeUserMessage.line(prompt: "Request:\nCompare [image 1] with \"[image 2]\"\n", images: Self.images) == spec.stdin)
    }

    @Test func aTextOnlyRunIsUnchanged() {
        let invocation = ClaudeInvocation(prompt: "Request:\nhi", agent: "triage")
        #expect(!invocation.readsStreamJSON && !invocation.writesStreamJSON)
        let spec = command.spec(for: invocation)
        #expect(spec.arguments == ["-p", "--output-format", "json", "--no-session-persistence", "--agent", "triage", "--max-budget-usd", "2.00"])
        #expect(spec.stdin == Array("Request:\nhi".utf8))
        let streamed = command.spec(for: ClaudeInvocation(prompt: "Request:\nhi", agent: "triage", streamsText: true))
        #expect(streamed.arguments == ["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages",
                                       "--no-session-persistence", "--agent", "triage", "--max-budget-usd", "2.00"])
        #expect(streamed.stdin == Array("Request:\nhi".utf8))
    }

    @Test func aRunWithImagesNotStreamedReadsItsOutcomeFromTheResultLineAndSendsNoText() {
        let launcher = FakeLauncher()
        launcher.answer("/usr/bin/claude", FakeLauncher.exited(0, stdout: [StreamJSON.start("m1"), StreamJSON.delta("Hello"), StreamJSON.delta(" world"),
                                                                           StreamJSON.assistant("m1", "Hello world"), StreamJSON.result].joined(separator: "\n") + "\n"))
        var pieces: [[UInt8]] = []
        let outcome = ClaudeCommand(settings: testRunSettings.claude, launcher: launcher)
            .run(ClaudeInvocation(prompt: "p", images: Self.images, agent: nil), onText: { pieces.append($0) })
        #expect(outcome == .succeeded(text: "Hello world", report: ClaudeReport(usage: TokenUsage(inputTokens: 3, outputTokens: 2), costUSD: 0.5, exitCode: 0)))
        #expect(pieces.isEmpty)
        #expect(launcher.started.first?.arguments.prefix(3) == ["-p", "--input-format", "stream-json"])
        #expect(launcher.started.first?.stdin.last == UInt8(ascii: "\n"))
    }

    @Test func aChatRequestWithAnImageRunsWithIt() throws {
        let request = try ChatCompletionDecoder.decode(Array(#"""
            {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"What is it?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,\#(ImageFixtures.png)","detail":"high"}}]}]}
            """#.utf8))
        let conversation = ConversationRunner(gate: RunGate(lock: FakeRunLock(), clock: FixedClock(), ids: FixedIDs()), run: testRunSettings,
                                              agentMap: AgentMap(fallback: nil), runner: FakeRunner(outcome: .cancelled(report: nil)))
        let invocation = try conversation.prepare(request.runRequest).invocation
        #expect(invocation.prompt == "Request:\nWhat is it?\n[image 1]")
        #expect(invocation.images == [.base64(mediaType: "image/png", data: ImageFixtures.png)])
        #expect(command.arguments(for: invocation) == ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
                                                       "--no-session-persistence", "--max-budget-usd", "2.00"])
    }
}
