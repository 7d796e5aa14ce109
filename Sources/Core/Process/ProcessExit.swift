import Glibc

/// Noticing and collecting a child's exit.
enum ProcessExit {
    /// True once the child has exited; the child is left for ``reap(_:)`` (`WNOWAIT`), so its process
    /// group id cannot be reused while the group is being signalled.
    static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let status = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        if status != 0 { return errno == ECHILD }
        return info._sifields._sigchld.si_pid != 0
    }

    /// Waits for the child and says how it ended.
    static func reap(_ pid: pid_t) -> ProcessResult.Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(-1) }
        }
        return termination(status)
    }

    /// How a child ended, from the status `waitpid` gave.
    static func termination(_ status: Int32) -> ProcessResult.Termination {
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signal)
    }

    /// Whether a watched descriptor that polled readable asks for cancellation: a socket at end of file
    /// or reset, or any readable pipe (its writer closed it or wrote a byte for the purpose).
    static func isCancelSignal(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if count == 0 { return true }
        if count > 0 { return false }
        return errno != EAGAIN && errno != EINTR
    }
}
