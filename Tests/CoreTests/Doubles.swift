import FoundationEssentials
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
        var descriptor: Int32? { nil }
        func release() { owner.releases += 1 }
    }
}

/// A runner that records invocations and answers with a fixed outcome.
final class FakeRunner: ClaudeRunning, @unchecked Sendable {
    var outcome: ClaudeOutcome
    var invocations: [ClaudeInvocation] = []
    var lockWasHeld: [Bool] = []
    var cancelDescriptors: [Int32?] = []
    let runLock: FakeRunLock?

    init(outcome: ClaudeOutcome, lock: FakeRunLock? = nil) {
        self.outcome = outcome
        self.runLock = lock
    }

    func run(_ invocation: ClaudeInvocation, lock: any HeldRunLock, cancelOn: Int32?) -> ClaudeOutcome {
        invocations.append(invocation)
        if let runLock { lockWasHeld.append(runLock.acquisitions > runLock.releases) }
        cancelDescriptors.append(cancelOn)
        return outcome
    }
}

struct FixedClock: WallClock {
    func now() -> Date { Date(timeIntervalSince1970: 1_700_000_000) }
}

struct FixedIDs: IDGenerator {
    func next() -> String { "fixedid" }
}
