import Glibc

/// What a freshly forked supervisor does before anything else, whatever it supervises.
enum SupervisorSetup {
    /// Forks a supervisor: the child enters (see ``enter(name:keeping:diesWith:)``), runs `body` and
    /// exits with its code; the parent gets the child's pid and closes nothing (`keeping` stays its to close).
    static func fork(name: String, keeping: [Int32], diesWithWorker: Bool,
                     body: (CancelSignal) -> Int32) throws(SystemCallError) -> pid_t {
        let worker = getpid()
        let pid = try SystemCall.retrying("cannot fork \(name)") { Glibc.fork() }
        if pid == 0 {
            _exit(body(enter(name: name, keeping: keeping, diesWith: diesWithWorker ? worker : nil)))
        }
        return pid
    }

    /// Takes `name` (what `ps` shows), leads a session of its own; keeps only the worker's log (fd 2) and `keeping` (moved to fd 3, 4,
    /// …, close-on-exec) with /dev/null as stdin and stdout: the listening socket and the connection to
    /// nginx must not live on in a supervisor that outlasts its worker. Becomes the child subreaper of
    /// whatever it starts, ignores SIGPIPE (a worker gone must not kill it mid-cleanup), and turns
    /// SIGTERM, SIGINT and SIGHUP into a readable descriptor. With `worker`, it also gets SIGTERM when
    /// that worker dies. A step that fails ends the process with 70, its reason in the worker's log.
    static func enter(name: String, keeping: [Int32], diesWith worker: pid_t?) -> CancelSignal {
        var parentGone = false
        do {
            try SystemCall.retrying("cannot start a session") { setsid() }
            ProcessControl.setName(name)
            if let worker {
                try ProcessControl.signalOnParentDeath(SIGTERM)
                // The worker may have died before the line above took effect.
                parentGone = getppid() != worker
            }
            let nullFD = try SystemCall.retrying("cannot open /dev/null") { open("/dev/null", O_RDWR) }
            let copies = try keeping.map { fd throws(SystemCallError) in
                try SystemCall.retrying("cannot copy descriptor \(fd)") { fcntl(fd, F_DUPFD_CLOEXEC, 10 + Int32(keeping.count)) }
            }
            try SystemCall.retrying("cannot make /dev/null stdin") { dup2(nullFD, 0) }
            try SystemCall.retrying("cannot make /dev/null stdout") { dup2(nullFD, 1) }
            for (index, copy) in copies.enumerated() {
                try SystemCall.retrying("cannot move descriptor \(keeping[index])") { dup2(copy, 3 + Int32(index)) }
                try Descriptor.setCloseOnExec(3 + Int32(index))
            }
            Descriptor.closeRange(3 + Int32(keeping.count))
            // As a child subreaper it finds the run's processes that escaped into sessions of their own.
            try ProcessControl.becomeChildSubreaper()
        } catch {
            StandardError.writeLine("\(name): \(error)")
            _exit(70)
        }
        // Not checked: `signal` fails only for a number that is no signal.
        signal(SIGPIPE, SIG_IGN)
        // The worker's stop request (its pipe is closed here) is not the supervisor's.
        signal(SIGUSR1, SIG_IGN)
        signal(SIGUSR2, SIG_IGN)
        let cancel = CancelSignal.install()
        // The mask is the forking thread's: a thread that blocks signals would leave the supervisor deaf to its TERM.
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        // Looked at again now that the TERM has its handler: one that came before went to the worker's
        // handler, inherited with the fork (a worker that stops right after forking a spare's keeper).
        if let worker, getppid() != worker { parentGone = true }
        if parentGone { cancel.trigger() }
        return cancel
    }
}
