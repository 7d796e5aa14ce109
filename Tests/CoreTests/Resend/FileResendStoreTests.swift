import Glibc
import Testing
@testable import Core

@Suite struct FileResendStoreTests {
    @Test func aClaimedKeyIsRunningThenDoneWithItsAnswerByteForByte() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store()
        let key = try resendKey(["Idempotency-Key": "k1"])
        #expect(store.lookup(key) == .absent)
        let claim = try #require(try store.claim(key))
        #expect(store.lookup(key) == .running)
        #expect(try store.claim(key) == nil, "held by a run")
        try store.complete(claim, answer: awkwardAnswer, requestID: "req1")
        guard case .done(let entry) = store.lookup(key) else { Issue.record("not done"); return }
        #expect(entry.response == awkwardAnswer)
        #expect(entry.response?.body == awkwardAnswer.body)
        #expect(entry.requestID == "req1")
        #expect(try store.claim(key) == nil, "an answer is there")
        let replacing = try #require(try store.claim(key, replacingAnswer: true), "a new question with the same key")
        #expect(store.lookup(key) == .running)
        store.abandon(replacing)
        #expect(store.lookup(key) == .absent)
    }

    @Test func theSameIdempotencyKeyWithAnotherBodyIsAConflictWhileRunningAndOnceDone() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store()
        let key = try resendKey(["Idempotency-Key": "k1"])
        let other = try resendKey(["Idempotency-Key": "k1"], body: "{}")
        let claim = try #require(try store.claim(key))
        #expect(store.lookup(other) == .conflict)
        try store.complete(claim, answer: awkwardAnswer, requestID: nil)
        #expect(store.lookup(other) == .conflict)
    }

    @Test func anAbandonedClaimLeavesNothing() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store()
        let key = try resendKey(["Idempotency-Key": "k1"])
        store.abandon(try #require(try store.claim(key)))
        #expect(store.lookup(key) == .absent)
        #expect(scratch.entryNames.isEmpty)
        #expect(try store.claim(key) != nil)
    }

    @Test func theEntryOfAWorkerThatDiedIsTakenOver() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store()
        let key = try resendKey(["Idempotency-Key": "k1"])
        let dead = try #require(try store.claim(key) as? FileResendStore.FileClaim)
        dead.release()  // what a worker's death does to its flock
        #expect(store.lookup(key) == .absent)
        let taken = try #require(try store.claim(key))
        #expect(store.lookup(key) == .running)
        try store.complete(taken, answer: awkwardAnswer, requestID: nil)
        guard case .done = store.lookup(key) else { Issue.record("not done"); return }
        #expect(scratch.entryNames == [key.id])
        #expect(!FileBytes.names(inDirectory: scratch.directory).contains { $0.hasSuffix(".claim") }, "no temporary file left")
    }

    @Test func anAnswerPastTheWindowIsNotServedAndIsRemovedOnTheNextStore() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let settings = ResendSettings(windowSeconds: 600)
        let key = try resendKey(["Idempotency-Key": "old"])
        // Stored 601 s ago: its time in the entry and on the file.
        let past = scratch.store(settings, offset: -601)
        try past.complete(try #require(try past.claim(key)), answer: awkwardAnswer, requestID: nil)
        var times = [timespec(tv_sec: time(nil) - 601, tv_nsec: 0), timespec(tv_sec: time(nil) - 601, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, past.path(key.id), &times, 0) == 0)
        #expect(scratch.store(settings, offset: -2).lookup(key) != .absent, "599 s after")
        let store = scratch.store(settings)
        #expect(store.lookup(key) == .absent)
        let other = try resendKey(["Idempotency-Key": "new"])
        try store.complete(try #require(try store.claim(other)), answer: awkwardAnswer, requestID: nil)
        #expect(scratch.entryNames == [other.id])
    }

    @Test func anExpiredAnswerIsReplacedByANewClaim() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let key = try resendKey(["Idempotency-Key": "k"])
        let store = scratch.store()
        try store.complete(try #require(try store.claim(key)), answer: awkwardAnswer, requestID: nil)
        let later = scratch.store(offset: 601)
        let claim = try #require(try later.claim(key))
        #expect(later.lookup(key) == .running)
        later.abandon(claim)
    }

    @Test func theOldestAnswersGoBeyondTheCount() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store(ResendSettings(maxAnswers: 2))
        let keys = try (1...3).map { try resendKey(["Idempotency-Key": "k\($0)"]) }
        for key in keys {
            try store.complete(try #require(try store.claim(key)), answer: awkwardAnswer, requestID: nil)
        }
        #expect(scratch.entryNames == [keys[1].id, keys[2].id])
        #expect(store.lookup(keys[0]) == .absent)
    }

    @Test func theOldestAnswersGoBeyondTheBytesAndARunsClaimStays() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let answer = HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], body: [UInt8](repeating: 0x61, count: 1000))
        let store = scratch.store(ResendSettings(maxBytes: 2500))
        let running = try #require(try store.claim(try resendKey(["Idempotency-Key": "running"])))
        let keys = try (1...3).map { try resendKey(["Idempotency-Key": "k\($0)"]) }
        for key in keys {
            try store.complete(try #require(try store.claim(key)), answer: answer, requestID: nil)
        }
        #expect(scratch.entryNames == [running.key.id, keys[1].id, keys[2].id])
        store.abandon(running)
    }

    @Test func anAnswerLargerThanTheStoreIsNotKept() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store(ResendSettings(maxBytes: 500))
        let key = try resendKey(["Idempotency-Key": "big"])
        let answer = HTTPResponse(status: 200, headers: [], body: [UInt8](repeating: 0x61, count: 1000))
        try store.complete(try #require(try store.claim(key)), answer: answer, requestID: nil)
        #expect(store.lookup(key) == .absent)
        #expect(scratch.entryNames.isEmpty)
    }

    @Test func aWaitingResendMarksItselfAttached() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store()
        let key = try resendKey(["Idempotency-Key": "k"])
        let claim = try #require(try store.claim(key))
        #expect(!store.isAttached(key))
        store.markAttached(key)
        #expect(store.isAttached(key))
        try store.complete(claim, answer: awkwardAnswer, requestID: nil)
        #expect(!store.isAttached(key), "the run's end ends the mark")
    }

    @Test func aFileThatIsNoEntryIsAbsentAndReplaced() throws {
        let scratch = ScratchResendStore()
        defer { scratch.scratch.remove() }
        let store = scratch.store()
        let key = try resendKey(["Idempotency-Key": "k"])
        mkdir(scratch.directory, 0o700)
        try AtomicFile.write(Array("claude-fcgi resend 1\ndone\nbody-sha256 \(key.bodyHash)\ntime 9999999999\nstatus 200\nlength 9\n\nshort".utf8),
                             to: store.path(key.id), what: "test")
        #expect(store.lookup(key) == .absent)
        #expect(try store.claim(key) != nil)
    }
}
