import Glibc

/// Linux process-tree control for the run supervisor: child subreaper, parent-death signal, and
/// ending every process left below it.
public enum ProcessControl {
    private typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32

    /// `prctl(2)` is variadic in C, which Swift does not import; it is called through its symbol.
    private static let prctlFunction = SpawnPlatform.cFunction("prctl", as: Prctl.self)

    static let setPdeathsig: Int32 = 1       // PR_SET_PDEATHSIG
    static let setChildSubreaper: Int32 = 36  // PR_SET_CHILD_SUBREAPER

    /// Makes this process the reaper of its orphaned descendants: a tool process that escapes into its
    /// own session is re-parented here, not to init, once its parent dies.
    @discardableResult
    public static func becomeChildSubreaper() -> Bool {
        prctlFunction?(setChildSubreaper, 1, 0, 0, 0) == 0
    }

    /// Asks the kernel to send `signal` to this process when its parent dies.
    @discardableResult
    public static func signalOnParentDeath(_ signal: Int32) -> Bool {
        prctlFunction?(setPdeathsig, UInt(signal), 0, 0, 0) == 0
    }

    /// The path of this process's executable (/proc/self/exe).
    public static func ownExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments.first ?? "claude-fcgi" }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Replaces this process with `path` after asking for SIGKILL when the parent `parentPID` dies:
    /// what `claude-fcgi exec-child` does between the supervisor and claude, so that a claude whose
    /// supervisor was killed cannot run on without the lock. Returns only on failure.
    public static func execDyingWithParent(parentPID: pid_t, path: String, arguments: [String]) -> String {
        guard signalOnParentDeath(SIGKILL) else { return "cannot set the parent-death signal" }
        guard getppid() == parentPID else { return "the supervisor is already gone" }
        let argv = [path] + arguments
        _ = CStringArray.with(argv) { pointer in
            execv(path, UnsafeMutablePointer(mutating: pointer))
        }
        return "cannot execute \(path): \(SystemError.describe(errno))"
    }

    /// The pids whose parent is `parent`, read from /proc.
    static func children(of parent: pid_t) -> [pid_t] {
        FileBytes.names(inDirectory: "/proc").compactMap { name in
            guard let pid = pid_t(name), let fields = ProcessTable.statFields(pid), fields.count > 1,
                  pid_t(fields[1]) == parent else { return nil }
            return pid
        }
    }

    /// Kills and reaps every descendant of this process (as a subreaper they all end up as its
    /// children), until none is left or `seconds` have passed. Returns how many were killed.
    @discardableResult
    public static func killAllDescendants(within seconds: Double = 5) -> Int {
        let me = getpid()
        let deadline = Monotonic.now() + seconds
        var killed = 0
        while true {
            var status: Int32 = 0
            while waitpid(-1, &status, WNOHANG) > 0 {}
            let children = children(of: me)
            if children.isEmpty || Monotonic.now() > deadline { return killed }
            for child in children where kill(child, SIGKILL) == 0 { killed += 1 }
            usleep(5_000)
        }
    }
}

/// Reads /proc for process identity.
public enum ProcessTable {
    /// The fields of /proc/PID/stat after the command name (which may hold anything, `)` included):
    /// `[0]` is the state (field 3), `[1]` the parent pid, `[19]` the start time (field 22).
    static func statFields(_ pid: pid_t) -> [Substring]? {
        guard let stat = FileBytes.read("/proc/\(pid)/stat", limit: 4096),
              let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        return String(decoding: stat[(close + 1)...], as: UTF8.self).split(separator: " ")
    }

    /// The start time (clock ticks since boot) of a live process; `nil` when there is no such process
    /// or it is a zombie.
    public static func startTicks(_ pid: pid_t) -> UInt64? {
        guard let fields = statFields(pid), fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return UInt64(fields[19])
    }
}
