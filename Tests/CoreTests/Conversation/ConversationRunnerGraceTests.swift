import Testing
@testable import Core

/// A re-sendable request's hang-up grace reaches its run on both paths, streamed or not.
@Suite struct ConversationRunnerGraceTests {
    final class GraceRecorder: ClaudeRunning, @unchecked Sendable {
        var graces: [Double?] = []
        func run(_ plan: RunPlan, lock: any HeldRunLock, cancelOn: Int32?, watcher: RunWatcher) -> ClaudeOutcome {
            graces.append(watcher.hangUpGrace?.seconds)
            return .succeeded(text: "hi", report: ClaudeReport(exitCode: 0))
        }
    }

    @Test func theGraceGoesWithTheRunStreamedOrNot() throws {
        let recorder = GraceRecorder()
        let lock = FakeRunLock()
        let conversation = ConversationRunner(gate: RunGate(lock: lock, clock: FixedClock(), ids: FixedIDs()), run: testRunSettings,
                                              agentMap: AgentMap(fallback: nil), runner: recorder)
        let prepared = try conversation.prepare(RunRequest(model: "m", turns: [Turn(role: .user, text: "hi")]))
        let held = try #require(try lock.tryAcquire())
        let grace = HangUpGrace(seconds: 12, isAttached: { false })
        var note = RunNote()
        _ = try conversation.answer(prepared, lock: held, cancelOn: nil, grace: grace, note: &note)
        _ = try conversation.answer(prepared, lock: held, cancelOn: nil, note: &note)
        let chunks = ChatCompletionChunks(id: "x", created: 1, model: "m", includeUsage: false)
        _ = try conversation.stream(prepared, lock: held, cancelOn: nil, grace: grace, note: &note, encoder: chunks, live: nil)
        _ = try conversation.stream(prepared, lock: held, cancelOn: nil, note: &note, encoder: chunks, live: nil)
        #expect(recorder.graces == [12, nil, 12, nil])
    }
}
