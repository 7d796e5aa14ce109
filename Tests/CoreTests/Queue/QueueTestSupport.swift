import Glibc
@testable import Core

/// A state directory with a run lock and a line, and a gate per waiter: each gate opens its own
/// descriptors, as each worker process does (an `flock` belongs to its open file description).
struct QueueScratch {
    let directory = ScratchDirectory("queue")
    var lockPath: String { directory.path + "/run.lock" }
    var queuePath: String { directory.path + "/queue" }

    func gate(_ settings: QueueSettings) -> RunGate {
        RunGate(lock: FileRunLock(path: lockPath), queue: settings, line: FileRunQueue(directory: queuePath))
    }

    /// The run lock, held by a descriptor of the test's own until ``release(_:)``.
    func holdLock() -> Int32 {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        flock(fd, LOCK_EX)
        return fd
    }

    func release(_ fd: Int32) { close(fd) }

    /// The names in the line's directory.
    var tickets: [String] { FileBytes.names(inDirectory: queuePath).sorted() }

    /// Waits (up to 10 s) until the line holds `count` tickets.
    func waitForTickets(_ count: Int) -> Bool {
        let deadline = Monotonic.now() + 10
        while Monotonic.now() < deadline {
            if tickets.count == count { return true }
            Monotonic.sleep(0.002)
        }
        return false
    }

    func remove() { directory.remove() }
}

/// What one waiter's wait gave, read after joining its thread.
struct WaitRecord {
    var result = "none"
    var acquiredAt = 0.0
    var seconds = 0.0
    var notices = 0
}

extension QueueWaitResult {
    var name: String {
        switch self {
        case .acquired: "acquired"
        case .busy: "busy"
        case .hungUp: "hungUp"
        }
    }
}

/// Starts a waiter on a thread of its own: it waits in line, and once it holds the lock keeps it for
/// `holdSeconds`, then releases it.
func startWaiter(_ gate: RunGate, caller: String = "c", connection: Int32? = nil, holdSeconds: Double = 0.005,
                 onWait: @escaping @Sendable () -> Bool = { true }) -> (BackgroundThread, Box<WaitRecord>) {
    let record = Box(WaitRecord())
    let thread = BackgroundThread {
        let start = Monotonic.now()
        var notices = 0
        let result = (try? gate.acquire(caller: caller, connection: connection) {
            notices += 1
            return onWait()
        })
        record.value.seconds = Monotonic.now() - start
        record.value.notices = notices
        record.value.result = result?.name ?? "error"
        if case .acquired(let held) = result {
            record.value.acquiredAt = Monotonic.now()
            Monotonic.sleep(holdSeconds)
            held.release()
        }
    }
    return (thread, record)
}
