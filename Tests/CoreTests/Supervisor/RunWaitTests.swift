import Testing
@testable import Core

@Suite struct RunWaitTests {
    /// A plan whose supervisor counts as hung 10 + 100 + 2 × 5 + 40 = 160 s after the start.
    static let plan = RunPlan(
        invocation: ClaudeInvocation(prompt: "p", agent: nil),
        claude: ClaudeSettings(executable: "c", workingDirectory: "/", maxBudgetUSD: "1", timeoutSeconds: 100, killGraceSeconds: 5, environment: [:]),
        gitSync: GitSyncSettings(mode: .bestEffort, timeoutSeconds: 10), stateDirectory: "/s", kind: .chat)
    static let answer = ClaudeOutcome.succeeded(text: "hi", report: ClaudeReport(exitCode: 0))
    static let stopped = "cancelled: the worker is stopping and the run went on longer than --stop-timeout (30 s)"

    func wait(connection: Bool = true, stop: Bool = true) -> RunWait {
        RunWait(plan: Self.plan, now: 1000, stopTimeoutSeconds: 30, watchesConnection: connection, watchesStop: stop)
    }

    @Test func theFinalEventFinishesAndKeepsTheSupervisor() {
        var wait = wait()
        #expect(wait.received(.started) == nil)
        #expect(wait.received(.textDelta([1])) == nil)
        #expect(wait.received(RunEvent(Self.answer)) == RunWait.Finish(outcome: Self.answer, ending: .keep))
    }

    @Test func theHangDeadlineFollowsThePlansLimits() {
        var wait = wait()
        #expect(RunWait.hangAllowance(Self.plan) == 160)
        #expect(wait.timePassed(now: 1159.9) == [])
        #expect(wait.secondsToWait(now: 1000) == 1)
        #expect(wait.secondsToWait(now: 1159.75) == 0.25)
        #expect(wait.timePassed(now: 1160) == [
            .log("run supervisor did not finish a run in time; killed"),
            .finish(RunWait.Finish(outcome: .failed(detail: "the run supervisor stopped answering", report: nil), ending: .kill)),
        ])
    }

    @Test func aClientHangUpHangsUpOnceAndTheSupervisorIsLetGo() {
        var wait = wait()
        #expect(wait.connectionReady(endOfFile: true) == [.hangUp])
        #expect(!wait.watchesConnection)
        #expect(!wait.watchesIdle)
        #expect(wait.watcherDeclined() == [])
        #expect(wait.received(.failure(.cancelled, detail: "", report: nil))
            == RunWait.Finish(outcome: .cancelled(report: nil), ending: .forget))
    }

    @Test func dataOnTheConnectionOnlyEndsItsWatch() {
        var wait = wait()
        #expect(wait.connectionReady(endOfFile: false) == [])
        #expect(!wait.watchesConnection)
        #expect(wait.connectionReady(endOfFile: true) == [], "no longer watched")
        #expect(!wait.hungUp)
        #expect(wait.received(RunEvent(Self.answer))?.ending == .keep)
    }

    @Test func aWatcherThatDeclinesHangsUp() {
        var wait = wait(connection: false)
        #expect(wait.watcherDeclined() == [.hangUp])
        #expect(wait.watcherDeclined() == [])
        #expect(wait.supervisorEnded() == RunWait.Finish(outcome: .cancelled(report: nil), ending: .reapDead))
    }

    @Test func aStopRequestGivesTheRunItsTimeThenHangsUp() {
        var wait = wait()
        #expect(wait.stopRequested(now: 1010) == [.log("stop requested; the run in hand may go on for 30 s")])
        #expect(!wait.watchesStop)
        #expect(wait.stopRequested(now: 1011) == [], "seen once")
        #expect(wait.secondsToWait(now: 1039.5) == 0.5)
        #expect(wait.timePassed(now: 1039.9) == [])
        #expect(wait.timePassed(now: 1040) == [.log("the run outlived --stop-timeout; cancelling it"), .hangUp])
        #expect(wait.timePassed(now: 1041) == [])
        let report = ClaudeReport(exitCode: 143)
        #expect(wait.received(.failure(.cancelled, detail: "", report: report))
            == RunWait.Finish(outcome: .failed(detail: Self.stopped, report: report), ending: .forget))
    }

    @Test func aRunThatEndsInItsStopTimeIsAnsweredAsItEnded() {
        var wait = wait()
        _ = wait.stopRequested(now: 1010)
        #expect(wait.received(RunEvent(Self.answer)) == RunWait.Finish(outcome: Self.answer, ending: .keep))
    }

    @Test func aSupervisorGoneAfterTheStopTimeTellsTheClientWhy() {
        var wait = wait()
        _ = wait.stopRequested(now: 1010)
        _ = wait.timePassed(now: 1050)
        #expect(wait.supervisorEnded() == RunWait.Finish(outcome: .failed(detail: Self.stopped, report: nil), ending: .reapDead))
    }

    @Test func aHangUpBeforeTheStopTimeIsTheClients() {
        var wait = wait()
        _ = wait.stopRequested(now: 1010)
        #expect(wait.connectionReady(endOfFile: true) == [.hangUp])
        #expect(wait.timePassed(now: 1050) == [])
        #expect(wait.received(.failure(.cancelled, detail: "", report: nil))?.outcome == .cancelled(report: nil))
    }

    @Test func aSupervisorGoneUnaskedOrBrokenIsAFailure() {
        let wait = wait()
        #expect(wait.supervisorEnded() == RunWait.Finish(outcome: .failed(detail: "the run supervisor ended without an answer", report: nil),
                                                         ending: .reapDead))
        #expect(wait.supervisorBroke("the run supervisor sent a frame of 4294967295 bytes\n")
            == RunWait.Finish(outcome: .failed(detail: "the run supervisor sent a frame of 4294967295 bytes", report: nil), ending: .kill))
    }
}
