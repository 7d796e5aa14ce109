import FoundationEssentials
import Glibc

/// What a supervisor is told on its command line.
public struct SupervisorOptions: Sendable {
    public var settings: ClaudeSettings
    public var stateDirectory: String
    public var invocation: ClaudeInvocation
    /// The worker that started it; when that process dies the run is stopped.
    public var parentPID: pid_t?
    /// The descriptor carrying the run lock (inherited from the worker).
    public var lockDescriptor: Int32

    public init(settings: ClaudeSettings, stateDirectory: String, invocation: ClaudeInvocation, parentPID: pid_t?, lockDescriptor: Int32 = 3) {
        self.settings = settings
        self.stateDirectory = stateDirectory
        self.invocation = invocation
        self.parentPID = parentPID
        self.lockDescriptor = lockDescriptor
    }
}

/// The per-run supervisor: a small process (the worker's own binary in `supervise` mode) that owns one
/// claude run from start to the last descendant.
///
/// It holds the run lock for the whole run, is the child subreaper of the run (so tool processes
/// that escape into their own sessions come back to it), stops the run on timeout or on SIGTERM —
/// which it also gets when its worker dies (`PR_SET_PDEATHSIG`) or the worker cancels — and ends with
/// no process of the run left. It writes the audit line and reports the outcome as one JSON line on stdout.
public enum RunSupervisor {
    /// Runs the supervisor; the prompt is read from stdin to its end. Returns the exit code.
    public static func run(_ options: SupervisorOptions, logError: (String) -> Void) -> Int32 {
        // The lock stays with this process; claude and its tools must not inherit it.
        _ = fcntl(options.lockDescriptor, F_SETFD, FD_CLOEXEC)
        ProcessControl.becomeChildSubreaper()
        let cancel = CancelSignal.install()
        if let parent = options.parentPID {
            ProcessControl.signalOnParentDeath(SIGTERM)
            // The worker may have died before the line above took effect.
            if getppid() != parent { cancel.trigger() }
        }

        var invocation = options.invocation
        guard let prompt = FileBytes.readAll(0) else {
            logError("supervisor: cannot read the prompt: \(SystemError.describe(errno))")
            return 1
        }
        invocation.prompt = String(decoding: prompt, as: UTF8.self)

        let started = Date()
        let startedMonotonic = Monotonic.now()
        let outcome = ClaudeProcess(settings: options.settings).run(invocation, cancelOn: cancel.descriptor)
        let leftovers = ProcessControl.killAllDescendants()
        if leftovers > 0 {
            logError("supervisor: request \(invocation.requestID): killed \(leftovers) process(es) left behind by the run")
        }
        let record = AuditRecord(started: started, durationSeconds: Monotonic.now() - startedMonotonic, invocation: invocation, outcome: outcome)
        if !AuditLog(stateDirectory: options.stateDirectory).append(record) {
            logError("supervisor: cannot append to the audit log in \(options.stateDirectory): \(SystemError.describe(errno))")
        }
        let line = SupervisorReport(outcome).line
        _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        return 0
    }
}

/// SIGTERM, SIGINT and SIGHUP turned into a readable pipe, so the run's poll loop sees them.
struct CancelSignal {
    let descriptor: Int32

    nonisolated(unsafe) private static var writeEnd: Int32 = -1

    static func install() -> CancelSignal {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return CancelSignal(descriptor: -1) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        writeEnd = fds[1]
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
            signal(signalNumber) { _ in
                var byte: UInt8 = 1
                _ = write(CancelSignal.writeEnd, &byte, 1)
            }
        }
        return CancelSignal(descriptor: fds[0])
    }

    func trigger() {
        var byte: UInt8 = 1
        _ = write(CancelSignal.writeEnd, &byte, 1)
    }
}
