import Glibc

/// The Linux/glibc pieces of process spawning that Swift's Glibc module does not expose.
enum SpawnPlatform {
    /// glibc's `POSIX_SPAWN_SETSID` (spawn.h, `__USE_GNU`): the child starts a new session.
    static let setsid: Int32 = 0x80

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), looked up once at run time because the
    /// Glibc module hides GNU extensions.
    private static let addChdirFunction: AddChdir? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    /// Adds a `chdir` to the spawn's file actions; non-zero when it cannot.
    static func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ directory: String) -> Int32 {
        guard let addChdirFunction else { return ENOSYS }
        return addChdirFunction(actions, directory)
    }

    private typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+).
    private static let addClosefromFunction: AddClosefrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddClosefrom.self)
    }()

    /// Closes every descriptor from `lowest` up in the child. Descriptors that others opened without
    /// `O_CLOEXEC` (libfcgi's connection to nginx, whatever spawn-fcgi left open) must not reach claude.
    static func addClosefrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32 {
        guard let addClosefromFunction else { return ENOSYS }
        return addClosefromFunction(actions, lowest)
    }

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
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signal)
    }
}
