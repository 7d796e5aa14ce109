import Glibc

/// Noticing and collecting a child's exit.
enum ProcessExit {
    /// True once the child has exited; the child is left for ``reap(_:)`` (`WNOWAIT`), so its process
    /// group id cannot be reused while the group is being signalled.
    static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        switch SystemCall.result({ waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) }) {
        case .success: return info._sifields._sigchld.si_pid != 0
        case .failure(let code): return code.value == ECHILD
        }
    }

    /// Waits for the child and says how it ended.
    static func reap(_ pid: pid_t) -> ProcessResult.Termination {
        var status: Int32 = 0
        guard case .success = SystemCall.result({ waitpid(pid, &status, 0) }) else { return .exited(-1) }
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
        switch SystemCall.result({ recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) }) {
        case .success(let count): return count == 0
        case .failure(let code): return code.value != EAGAIN
        }
    }
}
