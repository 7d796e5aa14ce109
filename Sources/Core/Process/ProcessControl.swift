import CLinux
import Glibc

/// Linux process-tree control for a run's supervisor: child subreaper, parent-death signal, and
/// ending every process left below it.
public enum ProcessControl {
    /// Makes this process the reaper of its orphaned descendants: a tool process that escapes into its
    /// own session is re-parented here, not to init, once its parent dies. Fails only on a kernel
    /// older than 3.4.
    public static func becomeChildSubreaper() throws(SystemCallError) {
        try SystemCall.retrying("cannot become a child subreaper") { clinux_set_child_subreaper(1) }
    }

    /// Asks the kernel to send `signal` to this process when its parent dies.
    public static func signalOnParentDeath(_ signal: Int32) throws(SystemCallError) {
        try SystemCall.retrying("cannot ask for signal \(signal) when the parent dies") { clinux_set_parent_death_signal(signal) }
    }

    /// Keeps freed memory in this process (and the processes forked from it) instead of handing it back
    /// to the kernel after each large answer, which costs a page fault per 4 KiB the next time.
    public static func keepFreedMemory() {
        // Not checked: without it memory is only handed back sooner.
        _ = clinux_set_malloc_thresholds(32 << 20, 64 << 20)
    }

    /// Names this process in `ps` and /proc/PID/comm (at most 15 bytes are kept).
    public static func setName(_ name: String) {
        let bytes = Array(name.utf8.prefix(15)) + [0]
        // Not checked: the name is only what `ps` shows.
        _ = bytes.withUnsafeBytes { clinux_set_name($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    }

    /// Kills and reaps every descendant of this process (as a subreaper they all end up as its
    /// children), until none is left or `seconds` have passed. Returns how many were killed.
    ///
    /// The usual case, no child left, costs one `waitpid`; only when one is left is /proc read.
    @discardableResult
    public static func killAllDescendants(within seconds: Double = 5) -> Int {
        killChildren(within: seconds) { _ in true }
    }

    /// Kills and reaps the children `chosen` picks, and the children they leave (as a subreaper they
    /// come back here), until none is left or `seconds` have passed. Returns how many were killed.
    @discardableResult
    public static func killChildren(within seconds: Double = 5, chosen: (pid_t) -> Bool,
                                    collected: (_ pid: Int32, _ status: Int32) -> Void = { _, _ in }) -> Int {
        let deadline = Monotonic.now() + seconds
        var killed = 0
        while true {
            var status: Int32 = 0
            var reaped = SystemCall.result { waitpid(-1, &status, WNOHANG) }
            while case .success(let pid) = reaped, pid > 0 {
                collected(pid, status)
                reaped = SystemCall.result { waitpid(-1, &status, WNOHANG) }
            }
            if reaped == .failure(Errno.Code(value: ECHILD)) { return killed }
            let children = ProcessTable.children(of: getpid()).filter(chosen)
            if children.isEmpty || Monotonic.now() > deadline { return killed }
            for child in children where kill(child, SIGKILL) == 0 { killed += 1 }
            usleep(5_000)
        }
    }
}
