import Glibc

/// Starts a program with `fork` and `execve`: exactly the given descriptors, every other one closed,
/// default signal dispositions and an empty mask, optionally in a new session (so the child leads a
/// process group that can be signalled as one) and tied to this process's life (`PR_SET_PDEATHSIG`).
///
/// One small C-level step instead of a helper executable: the parent-death signal has to be set in the
/// child between `fork` and `exec`, which `posix_spawn` cannot do. Everything the child needs is built
/// before the `fork`; between `fork` and `exec` the child makes system calls only.
enum ForkExec {
    /// Where the child failed, sent to the parent over a close-on-exec pipe with the `errno`.
    private enum Stage: Int32 { case exec = 1, chdir, parentGone, descriptors }

    static func spawn(executable: String, arguments: [String], environment: [String: String], workingDirectory: String,
                      descriptors: [(parent: Int32, child: Int32)], newSession: Bool, diesWithParent: Bool) throws(SpawnError) -> pid_t {
        let argv = CStringArray([executable] + arguments)
        let envp = CStringArray(environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        let path = CStringArray([executable, workingDirectory])
        var report: Pipe
        do { report = try Pipe.make() } catch { throw .failed(error.description) }
        let parentPID = getpid()
        LibC.resolveAll()
        let highestChild = descriptors.map(\.child).max() ?? 2
        // The sources are first copied above every target, so that no dup2 overwrites a source still to come.
        let scratchBase = max(highestChild, descriptors.map(\.parent).max() ?? 0, report.writeEnd) + 1
        var scratch = [Int32](repeating: -1, count: descriptors.count)

        let pid = fork()
        if pid == 0 {
            func fail(_ stage: Stage) -> Never {
                var message: Int32 = stage.rawValue << 16 | (errno & 0xFFFF)
                _ = write(report.writeEnd, &message, 4)
                _exit(127)
            }
            if newSession { setsid() }
            if diesWithParent {
                guard LibC.prctl(LibC.setParentDeathSignal, UInt(SIGKILL)) == 0 else { fail(.parentGone) }
                // The parent may have died before the line above took effect.
                guard getppid() == parentPID else { fail(.parentGone) }
            }
            let reportFD = fcntl(report.writeEnd, F_DUPFD_CLOEXEC, scratchBase)
            guard reportFD >= 0 else { fail(.descriptors) }
            report.writeEnd = reportFD
            for index in descriptors.indices {
                scratch[index] = fcntl(descriptors[index].parent, F_DUPFD, reportFD + 1)
                guard scratch[index] >= 0 else { fail(.descriptors) }
            }
            for index in descriptors.indices where dup2(scratch[index], descriptors[index].child) < 0 {
                fail(.descriptors)
            }
            // Descriptors others opened without O_CLOEXEC (libfcgi's connection to nginx, whatever
            // spawn-fcgi left open) must not reach the child.
            LibC.closeRange(highestChild + 1, reportFD - 1)
            LibC.closeRange(reportFD + 1)
            guard chdir(path.pointers[1]!) == 0 else { fail(.chdir) }
            var noSignals = sigset_t()
            sigemptyset(&noSignals)
            sigprocmask(SIG_SETMASK, &noSignals, nil)
            // The worker ignores SIGPIPE; the child must not inherit that.
            for signalNumber in 1..<Int32(65) { signal(signalNumber, SIG_DFL) }
            argv.withPointer { argvPointer in
                envp.withPointer { envPointer in
                    _ = execve(path.pointers[0]!, argvPointer, envPointer)
                }
            }
            fail(.exec)
        }
        Descriptor.close(&report.writeEnd)
        defer { report.close() }
        guard pid > 0 else { throw .failed("cannot start \(executable): \(Errno.describe(errno))") }

        var message: Int32 = 0
        var count = 0
        repeat { count = read(report.readEnd, &message, 4) } while count < 0 && errno == EINTR
        guard count == 4 else { return pid }  // end of file: the exec went through
        _ = ProcessExit.reap(pid)
        let (stage, code) = (Stage(rawValue: message >> 16), message & 0xFFFF)
        switch (stage, code) {
        case (.exec?, ENOENT): throw .notFound(executable)
        case (.exec?, EACCES), (.exec?, ENOEXEC): throw .notExecutable(executable)
        case (.chdir?, _): throw .failed("cannot enter \(workingDirectory): \(Errno.describe(code))")
        case (.parentGone?, _): throw .failed("its supervisor is gone")
        default: throw .failed("cannot start \(executable): \(Errno.describe(code))")
        }
    }
}
