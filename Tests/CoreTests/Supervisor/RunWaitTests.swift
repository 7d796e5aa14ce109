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

    func wait(connection: Bool = true, stop: Bool = true, grace: Double? = nil) -> RunWait {
        RunWait(plan: Self.plan, now: 1000, stopTimeoutSeconds: 30, watchesConnection: connection, watchesStop: stop, graceSeconds: grace)
    }

    static let graceStarted = RunWait.Action.log("the client hung up; the run goes on for 20 s for a re-send to attach")


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
        #expect(wait.connectionReady(endOfFile: true, now: 1020) == [.hangUp])
        #expect(!wait.watchesConnection)
        #expect(!wait.watchesIdle)
        #expect(wait.watcherDeclined(now: 1020) == [])
        #expect(wait.received(.failure(.cancelled, detail: "", report: nil))
            == RunWait.Finish(outcome: .cancelled(report: nil), ending: .forget))
    }

    @Test func dataOnTheConnectionOnlyEndsItsWatch() {
        var wait = wait()
        #expect(wait.connectionReady(endOfFile: false, now: 1020) == [])
        #expect(!wait.watchesConnection)
        #expect(wait.connectionReady(endOfFile: true, now: 1020) == [], "no longer watched")
        #expect(!wait.hungUp)
        #expect(wait.received(RunEvent(Self.answer))?.ending == .keep)
    }

    @Test func aWatcherThatDeclinesHangsUp() {
        var wait = wait(connection: false)
        #expect(wait.watcherDeclined(now: 1020) == [.hangUp])
        #expect(wait.watcherDeclined(now: 1020) == [])
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
        #expect(wait.connectionReady(endOfFile: true, now: 1020) == [.hangUp])
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

    // MARK: the hang-up grace of a re-sendable run

    @Test func withAGraceAHangUpWaitsForTheGracesEndThenHangsUpWhenNoneAttached() {
        var wait = wait(grace: 20)
        #expect(wait.connectionReady(endOfFile: true, now: 1010) == [Self.graceStarted])
        #expect(!wait.hungUp)
        #expect(wait.watchesIdle)
        #expect(wait.secondsToWait(now: 1029.5) == 0.5)
        var asked = 0
        #expect(wait.timePassed(now: 1029.9, isAttached: { asked += 1; return false }) == [])
        #expect(asked == 0, "asked only at the grace's end")
        #expect(wait.timePassed(now: 1030, isAttached: { asked += 1; return false })
            == [.log("no re-send attached in the hang-up grace; cancelling the run"), .hangUp])
        #expect(asked == 1)
        #expect(wait.timePassed(now: 1031, isAttached: { asked += 1; return false }) == [])
        #expect(wait.received(.failure(.cancelled, detail: "", report: nil))
            == RunWait.Finish(outcome: .cancelled(report: nil), ending: .forget))
    }

    @Test func withAGraceAnAttachedResendLetsTheRunGoOnToItsEnd() {
        var wait = wait(grace: 20)
        #expect(wait.watcherDeclined(now: 1010) == [Self.graceStarted])
        #expect(wait.watcherDeclined(now: 1011) == [], "the grace starts once")
        #expect(wait.timePassed(now: 1030, isAttached: { true })
            == [.log("a re-send attached in the hang-up grace; the run goes on to its end")])
        #expect(wait.runsToEnd)
        #expect(wait.watcherDeclined(now: 1040) == [])
        #expect(wait.connectionReady(endOfFile: true, now: 1041) == [])
        #expect(wait.timePassed(now: 1100, isAttached: { false }) == [], "never hung up")
        #expect(!wait.hungUp)
        #expect(wait.received(RunEvent(Self.answer)) == RunWait.Finish(outcome: Self.answer, ending: .keep))
    }

    @Test func withoutAGraceAHangUpHangsUpAtOnce() {
        var wait = wait()
        #expect(wait.connectionReady(endOfFile: true, now: 1010) == [.hangUp])
        #expect(wait.graceDeadline == nil)
    }

    @Test func aStopRequestsTimeHangsUpInTheGrace() {
        var wait = wait(grace: 20)
        _ = wait.stopRequested(now: 995)
        #expect(wait.connectionReady(endOfFile: true, now: 1010) == [Self.graceStarted])
        #expect(wait.timePassed(now: 1025, isAttached: { true }) == [.log("the run outlived --stop-timeout; cancelling it"), .hangUp])
        #expect(wait.graceDeadline == nil)
        #expect(wait.timePassed(now: 1030, isAttached: { true }) == [], "hung up already: the grace is over")
    }
}
