// The waiting line measured by itself (bench/driver.py's "queue hand-over" rows): waiters on threads of
// their own, each with its own descriptors as a worker process has, on a real state directory.
//   queue-bench HANDOVERS CPU_SECONDS   prints one JSON object
import Core
import Glibc
import Synchronization

let arguments = CommandLine.arguments
let handovers = arguments.count > 1 ? Int(arguments[1]) ?? 200 : 200
let cpuSeconds = arguments.count > 2 ? Double(arguments[2]) ?? 2 : 2

var template = Array("/tmp/claude-fcgi-queue-bench-XXXXXX".utf8CString)
let state = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
let lockPath = state + "/run.lock"
let queuePath = state + "/queue"

func gate(_ settings: QueueSettings) -> RunGate {
    RunGate(lock: FileRunLock(path: lockPath), queue: settings, line: FileRunQueue(directory: queuePath))
}

final class Thread: @unchecked Sendable {
    private var thread = pthread_t()
    private final class Body { let run: () -> Void; init(_ run: @escaping () -> Void) { self.run = run } }
    init(_ body: @escaping @Sendable () -> Void) {
        pthread_create(&thread, nil, { argument in
            Unmanaged<Body>.fromOpaque(argument!).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(Body(body)).toOpaque())
    }
    func join() { pthread_join(thread, nil) }
}

func cpuSecondsUsed() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func ticketCount() -> Int {
    guard let handle = opendir(queuePath) else { return 0 }
    defer { closedir(handle) }
    var count = 0
    while let entry = readdir(handle) { if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 } }
    return count
}

// Hand-overs: 4 waiters take turns; each holds the lock 5 ms and joins the line again at its end.
let settings = QueueSettings(waitSeconds: 30, length: 16, perCaller: 8)
let turns = Mutex<[(acquired: Double, released: Double)]>([])
let takers = (0..<4).map { index in
    Thread {
        let gate = gate(settings)
        while turns.withLock({ $0.count }) <= handovers {
            guard case .acquired(let held)? = try? gate.acquire(caller: "w\(index % 2)", connection: nil, onWait: { true }) else { continue }
            let acquired = Monotonic.now()
            Monotonic.sleep(0.005)
            let released = Monotonic.now()
            held.release()
            turns.withLock { $0.append((acquired, released)) }
        }
    }
}
takers.forEach { $0.join() }
let sorted = turns.withLock { $0 }.sorted { $0.acquired < $1.acquired }
let gaps = zip(sorted, sorted.dropFirst()).map { ($1.acquired - $0.released) * 1000 }.sorted()
func percentile(_ p: Double) -> Double { gaps[min(gaps.count - 1, Int(Double(gaps.count) * p))] }

// CPU of waiting: 8 waiters in line while the lock is held, measured over cpuSeconds.
let holder = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
flock(holder, LOCK_EX)
let waiters = (0..<8).map { index in
    Thread {
        if case .acquired(let held)? = try? gate(settings).acquire(caller: "c\(index)", connection: nil, onWait: { true }) { held.release() }
    }
}
while ticketCount() < 8 { Monotonic.sleep(0.001) }
let cpuBefore = cpuSecondsUsed(), wallBefore = Monotonic.now()
Monotonic.sleep(cpuSeconds)
let cpuPercent = (cpuSecondsUsed() - cpuBefore) / (Monotonic.now() - wallBefore) * 100
close(holder)
waiters.forEach { $0.join() }
let left = ticketCount()
rmdir(queuePath)
unlink(lockPath)
rmdir(state)

print(#"{"handovers": \#(gaps.count), "p50_ms": \#(percentile(0.5)), "p99_ms": \#(percentile(0.99)), "max_ms": \#(gaps.last ?? 0), "#
      + #""cpu_percent_8_waiting": \#(cpuPercent), "tickets_left": \#(left)}"#)
