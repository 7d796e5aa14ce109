import Glibc
import Testing
@testable import Core

@Suite struct ResendGuardTests {
    static let settings = ResendSettings(graceSeconds: 20)
    static let answer = HandledRequest(response: awkwardAnswer, run: RunNote(outcome: .ran(.succeeded), requestID: "r1"))

    func resendGuard(_ scratch: ScratchResendStore) -> ResendGuard {
        ResendGuard(store: scratch.store(Self.settings), settings: Self.settings, pollSeconds: 0.01)
    }

    @Test func aRequestWithoutAKeyProceedsAsAlways() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let live = BufferedResponseStream()
        var seen: [(HTTPRequest, ResponseStream?)] = []
        for _ in 0..<2 {
            let handled = try resendGuard(scratch).handle(resendRequest([:]), live: live) { request, stream in
                seen.append((request, stream))
                return Self.answer
            }
            #expect(handled.response == awkwardAnswer)
        }
        #expect(seen.count == 2)
        #expect(seen.allSatisfy { $0.0.hangUpGrace == nil && $0.1 === live })
        #expect(scratch.entryNames.isEmpty)
    }

    @Test func aKeyedAnswerIsKeptAndReplayedByteForByteWithoutARun() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        var runs = 0
        var grace: HangUpGrace?
        for _ in 0..<2 {
            let handled = try resendGuard(scratch).handle(resendRequest(["Idempotency-Key": "k1"]), live: nil) { request, _ in
                runs += 1
                grace = request.hangUpGrace
                return Self.answer
            }
            #expect(handled.response == awkwardAnswer)
            #expect(handled.response.body == awkwardAnswer.body)
            #expect(handled.run.requestID == "r1")
            #expect(!handled.sent)
        }
        #expect(runs == 1)
        #expect(grace?.seconds == 20)
        #expect(grace?.isAttached() == false)
    }

    @Test func aReplayedStreamIsTheWholeEventStreamWithItsHead() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let live = BufferedResponseStream()
        let first = try resendGuard(scratch).handle(resendRequest(["x-stainless-retry-count": "0"]), live: live) { _, stream in
            guard let stream else { return Self.answer }
            _ = stream.begin(AnswerStream.head)
            _ = stream.send(Array("data: {\"a\":1}\n\n".utf8))
            _ = stream.send(AnswerStream.keepAlive)
            _ = stream.send(Array("data: [DONE]\n\n".utf8))
            return HandledRequest(response: AnswerStream.head, run: RunNote(outcome: .ran(.succeeded)), sent: stream.hasBegun)
        }
        #expect(first.sent)
        #expect(live.body == Array("data: {\"a\":1}\n\n: keep-alive\n\ndata: [DONE]\n\n".utf8))
        let replay = try resendGuard(scratch).handle(resendRequest(["x-stainless-retry-count": "1"]), live: BufferedResponseStream()) { _, _ in
            Issue.record("ran again")
            return Self.answer
        }
        #expect(replay.response == HTTPResponse(status: 200, headers: AnswerStream.head.headers, body: live.body))
        #expect(!replay.sent)
    }

    @Test func anSDKsFirstAttemptLikeAnEarlierOneRunsAndItsResendGetsItsOwnAnswer() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        var runs = 0
        func send(_ count: String) throws -> HandledRequest {
            try resendGuard(scratch).handle(resendRequest(["x-stainless-retry-count": count]), live: nil) { _, _ in
                runs += 1
                return HandledRequest(response: HTTPResponse(status: 200, body: Array("answer \(runs)".utf8)), run: RunNote(outcome: .ran(.succeeded)))
            }
        }
        #expect(try send("0").response.body == Array("answer 1".utf8))
        #expect(try send("0").response.body == Array("answer 2".utf8), "the same question again: a run of its own")
        #expect(try send("1").response.body == Array("answer 2".utf8), "the re-send of the latest")
        #expect(runs == 2)
    }

    @Test(arguments: [(503, RequestOutcome.busy), (409, .busy), (503, .ran(.failed)), (200, .ran(.failed)), (200, .ran(.cancelled)),
                      (200, .ran(.timedOut)), (429, nil), (408, nil), (500, nil)] as [(Int, RequestOutcome?)])
    func anAnswerNotWorthKeepingLetsTheResendRun(status: Int, outcome: RequestOutcome?) throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        var runs = 0
        for _ in 0..<2 {
            _ = try resendGuard(scratch).handle(resendRequest(["Idempotency-Key": "k1"]), live: nil) { _, _ in
                runs += 1
                return HandledRequest(response: HTTPResponse(status: status, body: []), run: RunNote(outcome: outcome))
            }
        }
        #expect(runs == 2)
        #expect(scratch.entryNames.isEmpty)
    }

    @Test func answersWorthKeeping() {
        #expect(ResendGuard.keeps(status: 200, outcome: .ran(.succeeded)))
        #expect(ResendGuard.keeps(status: 400, outcome: nil))
        #expect(ResendGuard.keeps(status: 202, outcome: .jobStarted))
    }

    @Test func theSameKeyWithAnotherBodyIsA409() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        _ = try resendGuard(scratch).handle(resendRequest(["Idempotency-Key": "k1"]), live: nil) { _, _ in Self.answer }
        #expect(throws: APIError.resendConflict(key: "k1")) {
            try resendGuard(scratch).handle(resendRequest(["Idempotency-Key": "k1"], body: "{}"), live: nil) { _, _ in
                Issue.record("ran")
                return Self.answer
            }
        }
    }

    @Test func aBadIdempotencyKeyIsA400AndNothingRuns() {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        #expect(throws: APIError.invalidRequest("Idempotency-Key must be 1 to 255 printable ASCII characters")) {
            try resendGuard(scratch).handle(resendRequest(["Idempotency-Key": ""]), live: nil) { _, _ in
                Issue.record("ran")
                return Self.answer
            }
        }
    }

    @Test func aFirstAttemptLikeOneInProgressRunsWithoutWaiting() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store(Self.settings)
        let key = try resendKey(["x-stainless-retry-count": "0"])
        let held = try #require(try store.claim(key))
        var graces: [HangUpGrace?] = []
        let handled = try resendGuard(scratch).handle(resendRequest(["x-stainless-retry-count": "0"]), live: nil) { request, _ in
            graces.append(request.hangUpGrace)
            return Self.answer
        }
        #expect(handled.response == awkwardAnswer)
        #expect(graces.count == 1)
        #expect(graces.first??.seconds == nil, "not the claim's run: no grace")
        #expect(store.lookup(key) == .running)
        store.abandon(held)
    }

    /// The first attempt runs on a thread of its own (a worker), blocked until released; its re-send
    /// waits, marks itself attached (which the first run's grace sees), and gets the answer.
    @Test func aResendAttachesToTheRunInProgressAndGetsItsAnswer() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        var started: [Int32] = [0, 0]
        var release: [Int32] = [0, 0]
        #expect(pipe(&started) == 0 && pipe(&release) == 0)
        defer { [started[0], started[1], release[0], release[1]].forEach { close($0) } }
        let (startedRead, startedWrite, releaseRead, releaseWrite) = (started[0], started[1], release[0], release[1])
        let firstAnswer = Box<HandledRequest?>(nil)
        let graceSawAttached = Box(false)
        let owner = BackgroundThread { [self] in
            firstAnswer.value = try? resendGuard(scratch).handle(resendRequest(["x-stainless-retry-count": "0"]), live: nil) { request, _ in
                var byte: UInt8 = 1
                _ = write(startedWrite, &byte, 1)
                _ = read(releaseRead, &byte, 1)
                graceSawAttached.value = request.hangUpGrace?.isAttached() ?? false
                return Self.answer
            }
        }
        var byte: UInt8 = 0
        #expect(read(startedRead, &byte, 1) == 1)
        let key = try resendKey(["x-stainless-retry-count": "1"])
        let releaser = BackgroundThread {
            let store = scratch.store(Self.settings)
            for _ in 0..<500 where !store.isAttached(key) { usleep(10_000) }
            var one: UInt8 = 1
            _ = write(releaseWrite, &one, 1)
        }
        let resend = try resendGuard(scratch).handle(resendRequest(["x-stainless-retry-count": "1"]), live: nil) { _, _ in
            Issue.record("the re-send ran")
            return Self.answer
        }
        releaser.join()
        owner.join()
        #expect(graceSawAttached.value)
        #expect(firstAnswer.value?.response == awkwardAnswer)
        #expect(resend.response == awkwardAnswer)
        #expect(resend.run.outcome == nil)
        #expect(!scratch.store(Self.settings).isAttached(key), "the waiter's mark is gone")
    }

    @Test func aWaitingResendLeavesWhenItsClientHangsUp() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store(Self.settings)
        let key = try resendKey(["Idempotency-Key": "k1"])
        let held = try #require(try store.claim(key))
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        close(pair[1])  // the client hung up
        defer { close(pair[0]) }
        #expect(throws: APIError.executionFailed(detail: "the client hung up while waiting for the answer of its earlier request")) {
            try resendGuard(scratch).handle(resendRequest(["Idempotency-Key": "k1"], connection: pair[0]), live: nil) { _, _ in
                Issue.record("ran")
                return Self.answer
            }
        }
        // Its mark is left to expire (another re-send may be waiting on it); the run goes on.
        #expect(store.lookup(key) == .running)
        store.abandon(held)
    }

    @Test func aResendWhoseRunsWorkerDiedTakesTheRunOver() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store(Self.settings)
        let key = try resendKey(["Idempotency-Key": "k1"])
        let dying = Box(try #require(try store.claim(key) as? FileResendStore.FileClaim))
        let death = BackgroundThread {
            usleep(100_000)
            dying.value.release()
        }
        var runs = 0
        let handled = try resendGuard(scratch).handle(resendRequest(["Idempotency-Key": "k1"]), live: nil) { request, _ in
            runs += 1
            #expect(request.hangUpGrace != nil)
            return Self.answer
        }
        death.join()
        #expect(runs == 1)
        #expect(handled.response == awkwardAnswer)
        guard case .done = store.lookup(key) else { Issue.record("not kept"); return }
    }
}
