import CLinux
import Glibc

/// Starts a program the way `posix_spawn` does, with `clone(CLONE_VM | CLONE_VFORK)`: the child shares
/// the parent's memory until it calls `execve`, so no page table is copied (a `fork` of an 11 MB
/// worker costs more than the exec itself on a VM). The child gets exactly the given descriptors,
/// default signal dispositions and an empty mask, optionally a session of its own (so that it leads a
/// process group that can be signalled as one) and the kernel's promise to kill it when the process
/// that started it dies (`PR_SET_PDEATHSIG`), which `posix_spawn` cannot ask for.
///
/// The child runs ``childMain`` on a stack of its own, reading a ``ChildPlan`` built before the clone
/// and making system calls only: no allocation, no lock, nothing the suspended parent could be holding.
enum Spawn {
    /// Where the child failed, sent to the parent with the `errno` over a close-on-exec pipe.
    enum Stage: Int32 { case exec = 1, chdir, parentGone, descriptors, session }

    static func start(executable: String, arguments: [String], environment: [String: String], workingDirectory: String,
                      descriptors: [(parent: Int32, child: Int32)], newSession: Bool, diesWithParent: Bool) throws(SpawnError) -> pid_t {
        let argv = CStringArray([executable] + arguments)
        let envp = CStringArray(environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        let strings = CStringArray([executable, workingDirectory])
        var report: Pipe
        do { report = try Pipe.make() } catch { throw .failed(error.description) }
        defer { report.close() }
        let sources = descriptors.map(\.parent), targets = descriptors.map(\.child)
        let highestTarget = targets.max() ?? 2
        let scratch = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, descriptors.count))
        defer { scratch.deallocate() }
        let stackSize = 64 << 10
        let stack = UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16)
        defer { stack.deallocate() }

        let cloned = sources.withUnsafeBufferPointer { sources in
            targets.withUnsafeBufferPointer { targets in
                argv.withPointer { argv in
                    envp.withPointer { envp in
                        var plan = ChildPlan(
                            path: UnsafePointer(strings.pointers[0]!), directory: UnsafePointer(strings.pointers[1]!), argv: argv, envp: envp,
                            sources: sources.baseAddress, targets: targets.baseAddress, scratch: scratch, count: Int32(sources.count),
                            highestTarget: highestTarget,
                            // Sources are first copied above every target and the report pipe, so that no dup2
                            // overwrites a source still to come.
                            scratchBase: max(highestTarget, sources.max() ?? 0, report.writeEnd) + 1,
                            report: report.writeEnd, newSession: newSession, parentPID: diesWithParent ? getpid() : 0)
                        // No signal handler may run in the child while it shares our memory.
                        // Not checked: sigfillset and pthread_sigmask fail only for a bad argument.
                        var all = sigset_t(), previous = sigset_t()
                        sigfillset(&all)
                        pthread_sigmask(SIG_SETMASK, &all, &previous)
                        plan.parentMask = previous
                        let cloned = withUnsafeMutablePointer(to: &plan) { plan in
                            SystemCall.result { clinux_clone(childMain, stack + stackSize, CLONE_VM | CLONE_VFORK | SIGCHLD, plan) }
                        }
                        pthread_sigmask(SIG_SETMASK, &previous, nil)
                        return cloned
                    }
                }
            }
        }
        let pid: pid_t
        switch cloned {
        case .success(let started): pid = started
        case .failure(let code): throw .failed("cannot start \(executable): \(Errno.describe(code.value))")
        }
        Descriptor.close(&report.writeEnd)
        // The clone returns once the child has called execve or exited: a word in the pipe says it failed.
        var message: Int32 = 0
        guard case .success(4) = SystemCall.result({ read(report.readEnd, &message, 4) }) else { return pid }
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

/// What the child of ``Spawn`` needs, laid out before the clone; the child only reads it.
private struct ChildPlan {
    var path: UnsafePointer<CChar>
    var directory: UnsafePointer<CChar>
    var argv: UnsafePointer<UnsafeMutablePointer<CChar>?>
    var envp: UnsafePointer<UnsafeMutablePointer<CChar>?>
    var sources: UnsafePointer<Int32>?
    var targets: UnsafePointer<Int32>?
    /// Where the child notes the copies it makes of the sources (memory of the parent's, unused by it).
    var scratch: UnsafeMutablePointer<Int32>
    var count: Int32
    var highestTarget: Int32
    var scratchBase: Int32
    var report: Int32
    var newSession: Bool
    /// Non-zero: die with this parent.
    var parentPID: pid_t
    var parentMask = sigset_t()
}

/// The child's side of ``Spawn``: plain system calls only (not ``SystemCall``, whose errors allocate),
/// then `execve`. Every signal is blocked until just before the exec, so none interrupts a call here.
private let childMain: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { raw in
    guard let plan = raw?.assumingMemoryBound(to: ChildPlan.self).pointee else { _exit(127) }
    var reportFD = plan.report
    func fail(_ stage: Spawn.Stage) -> Never {
        var message: Int32 = stage.rawValue << 16 | (errno & 0xFFFF)
        // Not checked: the parent, reading no word, sees the child exit with 127.
        _ = write(reportFD, &message, 4)
        _exit(127)
    }
    // Handlers would run on our stack in the parent's memory; ignored signals would outlive the exec
    // (the worker ignores SIGPIPE). Every signal goes back to its default before the mask is lifted.
    // Not checked: `signal` fails only for numbers that are no signal or cannot be caught.
    for signalNumber in 1..<Int32(65) { signal(signalNumber, SIG_DFL) }
    // The child's process group is signalled as one: it must lead it.
    if plan.newSession { guard setsid() >= 0 else { fail(.session) } }
    if plan.parentPID != 0 {
        guard clinux_set_parent_death_signal(SIGKILL) == 0 else { fail(.parentGone) }
        // The parent may have died before the line above took effect.
        guard getppid() == plan.parentPID else { fail(.parentGone) }
    }
    let report = fcntl(plan.report, F_DUPFD_CLOEXEC, plan.scratchBase)
    guard report >= 0 else { fail(.descriptors) }
    reportFD = report
    for index in 0..<Int(plan.count) {
        guard let source = plan.sources?[index] else { fail(.descriptors) }
        plan.scratch[index] = fcntl(source, F_DUPFD, report + 1)
        guard plan.scratch[index] >= 0 else { fail(.descriptors) }
    }
    for index in 0..<Int(plan.count) {
        guard let target = plan.targets?[index], dup2(plan.scratch[index], target) >= 0 else { fail(.descriptors) }
    }
    // Descriptors others opened without O_CLOEXEC (libfcgi's connection to nginx, whatever spawn-fcgi
    // left open) must not reach the child.
    Descriptor.closeRange(plan.highestTarget + 1, report - 1)
    Descriptor.closeRange(report + 1, Int32.max)
    guard chdir(plan.directory) == 0 else { fail(.chdir) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    // Not checked: fails only for a bad argument.
    sigprocmask(SIG_SETMASK, &noSignals, nil)
    execve(plan.path, plan.argv, plan.envp)
    fail(.exec)
}
