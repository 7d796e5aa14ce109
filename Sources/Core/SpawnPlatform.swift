import Glibc

/// The Linux/glibc pieces of process spawning that Swift's Glibc module does not expose.
enum SpawnPlatform {
    /// glibc's `POSIX_SPAWN_SETSID` (spawn.h, `__USE_GNU`): the child starts a new session.
    static let setsid: Int32 = 0x80

    /// A C function of the C library, looked up at run time: the Glibc module hides GNU extensions
    /// and variadic functions. `nil` where this C library has none.
    static func cFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+).
    private static let addChdirFunction = cFunction("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)

    /// Adds a `chdir` to the spawn's file actions; non-zero when it cannot.
    static func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ directory: String) -> Int32 {
        guard let addChdirFunction else { return ENOSYS }
        return addChdirFunction(actions, directory)
    }

    private typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+).
    private static let addClosefromFunction = cFunction("posix_spawn_file_actions_addclosefrom_np", as: AddClosefrom.self)

    /// Closes every descriptor from `lowest` up in the child. Descriptors that others opened without
    /// `O_CLOEXEC` (libfcgi's connection to nginx, whatever spawn-fcgi left open) must not reach claude.
    static func addClosefrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32 {
        guard let addClosefromFunction else { return ENOSYS }
        return addClosefromFunction(actions, lowest)
    }

    /// `POLLRDHUP` (poll.h, `__USE_GNU`): the peer closed its end of a stream socket.
    static let pollReadHangup: Int16 = 0x2000

    /// Whether a watched descriptor that polled readable asks for cancellation: a socket at end of file
    /// or reset, or any readable pipe (its writer closed it or wrote a byte for the purpose).
    static func isCancelSignal(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if count == 0 { return true }
        if count > 0 { return false }
        return errno != EAGAIN && errno != EINTR
    }

    /// Spawns `executable` with exactly the given descriptors (parent fd → child fd), every other
    /// descriptor closed, default signal dispositions and an empty mask; in a new session when asked,
    /// so that the child leads a process group that can be signalled as one.
    static func spawn(executable: String, arguments: [String], environment: [String: String], workingDirectory: String,
                      descriptors: [(parent: Int32, child: Int32)], newSession: Bool) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (parent, child) in descriptors {
            posix_spawn_file_actions_adddup2(&actions, parent, child)
        }
        let lowestClosed = (descriptors.map(\.child).max() ?? 2) + 1
        guard addChdir(&actions, workingDirectory) == 0, addClosefrom(&actions, max(3, lowestClosed)) == 0 else {
            throw .failed("this C library lacks posix_spawn chdir/closefrom (glibc 2.34 or later is needed)")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        // The worker ignores SIGPIPE; children must not inherit that.
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (newSession ? setsid : 0)))

        let argv = [executable] + arguments
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status = CStringArray.with(argv) { argvPointer in
            CStringArray.with(envp) { envPointer in
                posix_spawn(&pid, executable, &actions, &attributes, argvPointer, envPointer)
            }
        }
        switch status {
        case 0: return pid
        case ENOENT: throw .notFound(executable)
        case EACCES, ENOEXEC: throw .notExecutable(executable)
        default: throw .failed("cannot start \(executable): \(SystemError.describe(status))")
        }
    }

    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32

    /// glibc's `pidfd_open` (2.36+, Linux 5.3+).
    private static let pidfdOpenFunction = cFunction("pidfd_open", as: PidfdOpen.self)

    /// A descriptor that polls readable when the child exits, so the poll loop wakes at once instead of
    /// on its next tick; -1 where the system has none.
    static func exitDescriptor(_ pid: pid_t) -> Int32 {
        guard let pidfdOpenFunction else { return -1 }
        let fd = pidfdOpenFunction(pid, 0)
        if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return fd
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
