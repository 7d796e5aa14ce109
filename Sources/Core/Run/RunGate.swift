/// What the run endpoints share: the one-run-at-a-time lock, the line that waits for it, the clock, the
/// ids, and how long a client that finds the lock held is told to wait.
public struct RunGate: Sendable {
    public let lock: any RunLock
    public let clock: any WallClock
    public let ids: any IDGenerator
    /// Seconds in `Retry-After` of a busy answer.
    public let retryAfterSeconds: Int
    /// How long and how many wait their turn; off: busy at once.
    public let queue: QueueSettings
    /// The line; `nil`: no line (as with the queue off).
    public let line: (any RunQueue)?
    /// The last checks of a run under the lock: room for its records, its caller's cap and rate.
    public let admission: RunAdmission

    public init(lock: any RunLock, clock: any WallClock = SystemWallClock(), ids: any IDGenerator = RandomIDGenerator(),
                retryAfterSeconds: Int = 10, queue: QueueSettings = .off, line: (any RunQueue)? = nil, admission: RunAdmission = RunAdmission()) {
        self.admission = admission
        self.lock = lock
        self.clock = clock
        self.ids = ids
        self.retryAfterSeconds = retryAfterSeconds
        self.queue = queue
        self.line = line
    }

    /// The held lock, or `nil` when another run holds it.
    public func tryAcquire() throws(RunLockError) -> (any HeldRunLock)? {
        try lock.tryAcquire()
    }

    /// The run lock before the request is read. Without a line: the lock when it is free, else `busy`
    /// thrown at once — the answer every request gets while a run goes on, kept cheap (no body decoded; a
    /// bad body gets its 400 once the run is over). With a line: `nil`, and the request, read first (a bad
    /// one is not kept waiting), waits its turn through ``acquire(caller:connection:onWait:)`` — at once
    /// too when the line is empty: the lock found free here may be one just let go that the first in line
    /// has yet to take.
    public func tryAcquireBeforeReading(busy: APIError) throws -> (any HeldRunLock)? {
        if queue.isOn && line != nil { return nil }
        guard let held = try lock.tryAcquire() else { throw busy }
        return held
    }

    /// The held lock, after waiting in line for it first come, first served, when the queue is on.
    /// Off (or without a line), this is ``tryAcquire()``: busy at once.
    /// - Parameters:
    ///   - caller: whose request this is, for the per-caller bound.
    ///   - connection: the client's connection: its end of file ends the wait (`.hungUp`) at once.
    ///   - onWait: called about once a second while waiting (e.g. to send an SSE comment); `false`
    ///     (the client is gone) ends the wait as a hang-up does.
    public func acquire(caller: String, connection: Int32?, onWait: () -> Bool) throws(RunLockError) -> QueueWaitResult {
        guard queue.isOn, let line else { return try tryAcquire().map { .acquired($0) } ?? .busy }
        let ticket: any QueueTicket
        switch try line.join(caller: caller, settings: queue, tryLock: lock.tryAcquire) {
        case .acquired(let held): return .acquired(held)
        case .full: return .busy
        case .waiting(let place): ticket = place
        }
        // Left on every way out; after the lock is taken, so that the next in line never sees no one ahead
        // while the lock is still free for the taking.
        defer { ticket.leave() }
        let now = Monotonic.now()
        var wait = Waiting(start: now, seconds: queue.waitSeconds, watchesConnection: connection != nil)
        while true {
            let now = Monotonic.now()
            if !wait.first && now >= wait.nextLookAtLine {
                wait.first = try ticket.isFirst()
                wait.nextLookAtLine = now + Self.linePollSeconds
            }
            if wait.first, let held = try lock.tryAcquire() { return .acquired(held) }
            if now >= wait.deadline { return .busy }
            if now >= wait.nextNotice {
                guard onWait() else { return .hungUp }
                wait.nextNotice = now + Self.noticeSeconds
            }
            var set = PollSet()
            if wait.watchesConnection { set.watch(connection, for: [.readable, .peerClosed]) }
            if !wait.first { set.watch(ticket.changes, for: .readable) }
            let ready: PollSet.Ready
            do {
                ready = try set.wait(seconds: wait.wake(now: now) - now)
            } catch {
                throw RunLockError(error.description)
            }
            if wait.watchesConnection, let connection, ready.contains(connection) {
                if ProcessExit.isCancelSignal(connection) { return .hungUp }
                wait.watchesConnection = false  // data, not end of file: not watched again (it would poll ready at once)
            }
            if !wait.first && ready.contains(ticket.changes) { wait.nextLookAtLine = now }
        }
    }

    /// How often the first in line tries the lock: a hand-over costs half of it on average.
    static let lockPollSeconds = 0.002
    /// How often the others look at the line besides when a ticket leaves it (to find dead waiters' tickets).
    static let linePollSeconds = 0.05
    /// How often `onWait` is called.
    static let noticeSeconds = 1.0

    /// The times of one wait in line.
    private struct Waiting {
        let deadline: Double
        var nextNotice: Double
        var nextLookAtLine: Double
        var first = false
        var watchesConnection: Bool

        init(start: Double, seconds: Double, watchesConnection: Bool) {
            deadline = start + seconds
            nextNotice = start + RunGate.noticeSeconds
            nextLookAtLine = start
            self.watchesConnection = watchesConnection
        }

        /// When to look again: the deadline, the next notice, the next try of the lock or look at the line.
        func wake(now: Double) -> Double {
            min(deadline, nextNotice, first ? now + RunGate.lockPollSeconds : nextLookAtLine)
        }
    }
}
