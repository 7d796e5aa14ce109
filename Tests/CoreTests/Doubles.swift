@testable import Core

/// A lock whose state the test sets.
final class FakeRunLock: RunLock, @unchecked Sendable {
    var isHeldElsewhere = false
    var acquisitions = 0
    var releases = 0

    func tryAcquire() throws(APIError) -> (any HeldRunLock)? {
        if isHeldElsewhere { return nil }
        acquisitions += 1
        return Held(owner: self)
    }

    final class Held: HeldRunLock {
        let owner: FakeRunLock
        init(owner: FakeRunLock) { self.owner = owner }
        func release() { owner.releases += 1 }
    }
}

/// A runner that records invocations and answers with a fixed outcome.
final class FakeRunner: ClaudeRunning, @unchecked Sendable {
    var outcome: ClaudeOutcome
    var invocations: [ClaudeInvocation] = []
    var lockWasHeld: [Bool] = []
    let lock: FakeRunLock?

    init(outcome: ClaudeOutcome, lock: FakeRunLock? = nil) {
        self.outcome = outcome
        self.lock = lock
    }

    func run(_ invocation: ClaudeInvocation) -> ClaudeOutcome {
        invocations.append(invocation)
        if let lock { lockWasHeld.append(lock.acquisitions > lock.releases) }
        return outcome
    }
}

struct FixedClock: WallClock {
    func secondsSinceEpoch() -> Int64 { 1_700_000_000 }
}

struct FixedIDs: IDGenerator {
    func next() -> String { "fixedid" }
}
