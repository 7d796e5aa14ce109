import Glibc

/// What to start: an executable with arguments, environment, working directory and stdin bytes.
public struct ProcessSpec: Sendable, Equatable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    public var workingDirectory: String
    public var stdin: [UInt8]
    /// Further descriptors the child gets: child descriptor number → the parent's descriptor.
    public var inherited: [Int32: Int32]

    public init(executable: String, arguments: [String], environment: [String: String], workingDirectory: String, stdin: [UInt8],
                inherited: [Int32: Int32] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdin = stdin
        self.inherited = inherited
    }
}

/// How long a process may run and how much of its output is kept.
public struct ProcessLimits: Sendable, Equatable {
    /// Seconds from start until SIGTERM is sent to the process group.
    public var timeoutSeconds: Double
    /// Seconds between SIGTERM and SIGKILL.
    public var killGraceSeconds: Double
    /// Stdout beyond this many bytes is read and dropped.
    public var maxStdoutBytes: Int
    /// Only the last this many bytes of stderr are kept.
    public var stderrTailBytes: Int

    public init(timeoutSeconds: Double, killGraceSeconds: Double = 5, maxStdoutBytes: Int = 32 << 20, stderrTailBytes: Int = 64 << 10) {
        self.timeoutSeconds = timeoutSeconds
        self.killGraceSeconds = killGraceSeconds
        self.maxStdoutBytes = maxStdoutBytes
        self.stderrTailBytes = stderrTailBytes
    }
}

/// How a finished process ended and what it wrote.
public struct ProcessResult: Sendable, Equatable {
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    public var termination: Termination
    public var stdout: [UInt8]
    /// The tail of stderr (see ``ProcessLimits/stderrTailBytes``).
    public var stderr: [UInt8]
    /// True when the timeout fired and the process group was stopped.
    public var timedOut: Bool
    /// True when the watched descriptor reported end of file and the process group was stopped.
    public var cancelled: Bool

    public init(termination: Termination, stdout: [UInt8], stderr: [UInt8], timedOut: Bool = false, cancelled: Bool = false) {
        self.termination = termination
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
        self.cancelled = cancelled
    }
}

/// Why a process could not be started.
public enum SpawnError: Error, Equatable, Sendable {
    case notFound(String)
    case notExecutable(String)
    case failed(String)
}

/// Starts a process, feeds its stdin, collects its output and enforces its time limit.
public protocol ProcessLauncher: Sendable {
    /// Runs the process to its end. When `cancelOn` is given and that descriptor reaches end of file
    /// (its writer closed it or died), the process group is stopped as on a timeout.
    func run(_ spec: ProcessSpec, limits: ProcessLimits, cancelOn: Int32?) throws(SpawnError) -> ProcessResult
}

extension ProcessLauncher {
    public func run(_ spec: ProcessSpec, limits: ProcessLimits) throws(SpawnError) -> ProcessResult {
        try run(spec, limits: limits, cancelOn: nil)
    }
}

/// `posix_spawn` in a new session (so the child leads its own process group), pipes for all three
/// standard streams, one `poll(2)` loop; on timeout SIGTERM to the group, then SIGKILL after the grace.
public struct PosixProcessLauncher: ProcessLauncher {
    public init() {}

    public func run(_ spec: ProcessSpec, limits: ProcessLimits, cancelOn: Int32?) throws(SpawnError) -> ProcessResult {
        let executable = try resolve(spec.executable, path: spec.environment["PATH"] ?? "")
        var pipes = try Pipes()
        let pid = try spawn(executable, spec, pipes: &pipes)
        return supervise(pid: pid, pipes: &pipes, stdin: spec.stdin, limits: limits, cancelOn: cancelOn)
    }

    /// The executable's path: as given when it holds a `/`, else the first match on `path`.
    func resolve(_ executable: String, path: String) throws(SpawnError) -> String {
        if executable.contains("/") {
            guard access(executable, F_OK) == 0 else { throw .notFound(executable) }
            guard access(executable, X_OK) == 0 else { throw .notExecutable(executable) }
            return executable
        }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw .notFound("\(executable) (searched PATH)")
    }

    private func spawn(_ executable: String, _ spec: ProcessSpec, pipes: inout Pipes) throws(SpawnError) -> pid_t {
        defer { pipes.closeChildEnds() }
        do {
            return try SpawnPlatform.spawn(
                executable: executable, arguments: spec.arguments, environment: spec.environment,
                workingDirectory: spec.workingDirectory,
                descriptors: [(pipes.stdinRead, 0), (pipes.stdoutWrite, 1), (pipes.stderrWrite, 2)]
                    + spec.inherited.sorted { $0.key < $1.key }.map { ($0.value, $0.key) },
                newSession: true)
        } catch {
            pipes.closeAll()
            throw error
        }
    }

    private func supervise(pid: pid_t, pipes: inout Pipes, stdin: [UInt8], limits: ProcessLimits, cancelOn: Int32?) -> ProcessResult {
        var stdout = OutputBuffer(limit: limits.maxStdoutBytes, keepTail: false)
        var stderr = OutputBuffer(limit: limits.stderrTailBytes, keepTail: true)
        var written = 0
        if stdin.isEmpty { pipes.closeStdin() }
        let start = Monotonic.now()
        var deadline = start + limits.timeoutSeconds
        var phase = StopPhase.running
        var timedOut = false
        var cancelled = false
        var watched = cancelOn
        let exited = SpawnPlatform.exitDescriptor(pid)
        defer { if exited >= 0 { close(exited) } }

        while true {
            let now = Monotonic.now()
            if now >= deadline || (cancelled && phase == .running) {
                switch phase {
                case .running:
                    timedOut = !cancelled
                    kill(-pid, SIGTERM)
                    phase = .terminating
                    deadline = now + limits.killGraceSeconds
                case .terminating:
                    kill(-pid, SIGKILL)
                    phase = .killed
                    deadline = .infinity
                case .killed:
                    break
                }
            }
            if SpawnPlatform.hasExited(pid) {
                // Read what is already in the pipes, then stop: a descendant may hold them open.
                pipes.drain(into: &stdout, &stderr)
                break
            }
            var fds: [pollfd] = []
            if pipes.stdinWrite >= 0 { fds.append(pollfd(fd: pipes.stdinWrite, events: Int16(POLLOUT), revents: 0)) }
            if pipes.stdoutRead >= 0 { fds.append(pollfd(fd: pipes.stdoutRead, events: Int16(POLLIN), revents: 0)) }
            if pipes.stderrRead >= 0 { fds.append(pollfd(fd: pipes.stderrRead, events: Int16(POLLIN), revents: 0)) }
            if let watched { fds.append(pollfd(fd: watched, events: Int16(POLLIN) | SpawnPlatform.pollReadHangup, revents: 0)) }
            if exited >= 0 { fds.append(pollfd(fd: exited, events: Int16(POLLIN), revents: 0)) }
            // Without an exit descriptor, wake every 50 ms to notice the child's exit while a
            // descendant holds a pipe.
            let tick: Double = exited >= 0 ? 1000 : 50
            let wait = Int32(min(tick, max(0, ((deadline - Monotonic.now()) * 1000).rounded(.up))))
            _ = poll(&fds, nfds_t(fds.count), wait)
            for entry in fds where entry.revents != 0 {
                if entry.fd == pipes.stdinWrite {
                    written = pipes.writeStdin(stdin, from: written)
                } else if entry.fd == pipes.stdoutRead {
                    if !pipes.read(fd: entry.fd, into: &stdout) { pipes.closeStdout() }
                } else if entry.fd == pipes.stderrRead {
                    if !pipes.read(fd: entry.fd, into: &stderr) { pipes.closeStderr() }
                } else if entry.fd == watched {
                    // End of file (or a byte on a pipe) means cancel; data on a socket only stops the watch.
                    if SpawnPlatform.isCancelSignal(entry.fd) { cancelled = phase == .running }
                    watched = nil
                }
            }
        }
        // Whatever is left of the run's process group goes with it.
        kill(-pid, SIGKILL)
        let termination = SpawnPlatform.reap(pid)
        pipes.closeAll()
        return ProcessResult(termination: termination, stdout: stdout.bytes, stderr: stderr.bytes, timedOut: timedOut, cancelled: cancelled)
    }

    private enum StopPhase { case running, terminating, killed }
}

/// Bytes collected from one stream: the head up to a limit, or only the tail.
struct OutputBuffer {
    let limit: Int
    let keepTail: Bool
    private(set) var bytes: [UInt8] = []

    init(limit: Int, keepTail: Bool) {
        self.limit = limit
        self.keepTail = keepTail
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        if keepTail {
            bytes.append(contentsOf: chunk)
            if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
        } else if bytes.count < limit {
            bytes.append(contentsOf: chunk.prefix(limit - bytes.count))
        }
    }
}

/// The three pipes of a child, parent ends non-blocking; -1 marks a closed end.
struct Pipes {
    var stdinRead: Int32 = -1, stdinWrite: Int32 = -1
    var stdoutRead: Int32 = -1, stdoutWrite: Int32 = -1
    var stderrRead: Int32 = -1, stderrWrite: Int32 = -1

    init() throws(SpawnError) {
        var fds: [Int32] = [0, 0]
        for index in 0..<3 {
            // pipe2 is hidden by the Glibc module; the worker is single-threaded, so no exec can race
            // between pipe and FD_CLOEXEC.
            guard pipe(&fds) == 0 else {
                let failure = errno
                closeAll()
                throw .failed("cannot create a pipe: \(SystemError.describe(failure))")
            }
            switch index {
            case 0: (stdinRead, stdinWrite) = (fds[0], fds[1])
            case 1: (stdoutRead, stdoutWrite) = (fds[0], fds[1])
            default: (stderrRead, stderrWrite) = (fds[0], fds[1])
            }
        }
        for fd in [stdinRead, stdinWrite, stdoutRead, stdoutWrite, stderrRead, stderrWrite] {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        for fd in [stdinWrite, stdoutRead, stderrRead] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    mutating func closeChildEnds() {
        Pipes.close(&stdinRead)
        Pipes.close(&stdoutWrite)
        Pipes.close(&stderrWrite)
    }

    mutating func closeStdin() { Pipes.close(&stdinWrite) }
    mutating func closeStdout() { Pipes.close(&stdoutRead) }
    mutating func closeStderr() { Pipes.close(&stderrRead) }

    mutating func closeAll() {
        closeChildEnds()
        closeStdin()
        closeStdout()
        closeStderr()
    }

    /// Writes more of `bytes` from `offset`; closes stdin when all is written or the child stopped
    /// reading. Returns the new offset.
    mutating func writeStdin(_ bytes: [UInt8], from offset: Int) -> Int {
        var offset = offset
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(stdinWrite, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if count > 0 { offset += count; continue }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return offset }
            break  // EPIPE: the child closed its stdin
        }
        closeStdin()
        return bytes.count
    }

    /// Reads what is available; false at end of file or on error.
    func read(fd: Int32, into buffer: inout OutputBuffer) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                chunk.withUnsafeBytes { buffer.append(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return true }
            return false
        }
    }

    mutating func drain(into stdout: inout OutputBuffer, _ stderr: inout OutputBuffer) {
        if stdoutRead >= 0 && !read(fd: stdoutRead, into: &stdout) { closeStdout() }
        if stderrRead >= 0 && !read(fd: stderrRead, into: &stderr) { closeStderr() }
    }

    private static func close(_ fd: inout Int32) {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}

/// Sleeps the calling thread.
func usleepSeconds(_ seconds: Double) {
    usleep(useconds_t(max(0, seconds) * 1_000_000))
}

/// A monotonic clock in seconds.
enum Monotonic {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

/// Null-terminated `char *[]` built from Swift strings for the duration of a call.
enum CStringArray {
    static func with<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
