import Glibc
import Testing
@testable import Core

@Suite struct PosixProcessLauncherTests {
    let launcher = PosixProcessLauncher()
    let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"]

    func run(_ script: String, stdin: String = "", timeout: Double = 10, grace: Double = 1, cwd: String = "/") throws(SpawnError) -> ProcessResult {
        try launcher.run(
            ProcessSpec(executable: "/bin/sh", arguments: ["-c", script], environment: environment, workingDirectory: cwd, stdin: Array(stdin.utf8)),
            limits: ProcessLimits(timeoutSeconds: timeout, killGraceSeconds: grace))
    }

    @Test func passesStdinAndCollectsStdoutStderrAndExitCode() throws {
        let result = try run("cat; echo oops >&2; exit 3", stdin: "hello")
        #expect(result.termination == .exited(3))
        #expect(String(decoding: result.stdout, as: UTF8.self) == "hello")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "oops\n")
        #expect(!result.timedOut)
    }

    @Test func stdinIsClosedSoReadersSeeEndOfFile() throws {
        let result = try run("wc -c", stdin: "")
        #expect(String(decoding: result.stdout, as: UTF8.self).trimmingCharacters() == "0")
    }

    @Test func largeStdinAndStdoutDoNotDeadlock() throws {
        let big = String(repeating: "0123456789abcdef", count: 1 << 16)  // 1 MiB
        let result = try run("cat", stdin: big)
        #expect(result.stdout.count == big.utf8.count)
    }

    @Test func runsInTheWorkingDirectoryWithOnlyTheGivenEnvironment() throws {
        setenv("CLAUDE_FCGI_TOKEN", "leak-me", 1)
        defer { unsetenv("CLAUDE_FCGI_TOKEN") }
        let result = try run("pwd; env", cwd: "/tmp")
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.first == "/tmp")
        #expect(!lines.contains { $0.contains("leak-me") })
        #expect(lines.contains("PATH=/usr/local/bin:/usr/bin:/bin"))
    }

    @Test func childLeadsItsOwnSessionAndInheritsNoExtraDescriptors() throws {
        let result = try run("ps -o sid= -p $$; ps -o pid= -p $$; ls /proc/self/fd | wc -l")
        let fields = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map { $0.trimmingWhitespace() }
        #expect(fields.count == 3)
        #expect(fields[0] == fields[1])
        // 0, 1, 2 and the descriptor ls opens to read the directory.
        #expect(fields[2] == "4")
    }

    @Test func timeoutTermsTheGroupAndReportsIt() throws {
        let start = Monotonic.now()
        let result = try run("sleep 30", timeout: 0.3, grace: 2)
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGTERM))
        #expect(Monotonic.now() - start < 5)
    }

    @Test func timeoutKillsAfterTheGraceWhenTermIsIgnored() throws {
        let start = Monotonic.now()
        let result = try run("trap '' TERM; sleep 30 & wait; sleep 30", timeout: 0.3, grace: 0.3)
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGKILL))
        #expect(Monotonic.now() - start < 5)
    }

    @Test func aDescendantHoldingStdoutDoesNotHoldTheRun() throws {
        let start = Monotonic.now()
        let result = try run("(sleep 5 &) ; echo done")
        #expect(result.termination == .exited(0))
        #expect(String(decoding: result.stdout, as: UTF8.self) == "done\n")
        #expect(Monotonic.now() - start < 4)
    }

    @Test func missingAndNonExecutableBinariesAreSpawnErrors() {
        #expect(throws: SpawnError.notFound("/nonexistent/claude")) {
            try launcher.run(ProcessSpec(executable: "/nonexistent/claude", arguments: [], environment: environment, workingDirectory: "/", stdin: []),
                             limits: ProcessLimits(timeoutSeconds: 1))
        }
        #expect(throws: SpawnError.notExecutable("/etc/hostname")) {
            try launcher.run(ProcessSpec(executable: "/etc/hostname", arguments: [], environment: environment, workingDirectory: "/", stdin: []),
                             limits: ProcessLimits(timeoutSeconds: 1))
        }
        #expect(throws: SpawnError.notFound("no-such-claude-binary (searched PATH)")) {
            try launcher.run(ProcessSpec(executable: "no-such-claude-binary", arguments: [], environment: environment, workingDirectory: "/", stdin: []),
                             limits: ProcessLimits(timeoutSeconds: 1))
        }
    }
}

@Suite struct FileRunLockTests {
    let path = "/tmp/claude-fcgi-locktest-\(getpid())-\(Int.random(in: 0..<1_000_000)).lock"

    /// Whether `condition` holds within two seconds. Other tests spawn processes in parallel threads, and
    /// a child between fork and exec holds a copy of every descriptor (O_CLOEXEC ones included), so a
    /// released lock can stay held for a moment. The worker is single-threaded: it has no such window.
    func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<200 {
            if try condition() { return true }
            usleep(10_000)
        }
        return false
    }

    func otherProcessCanLock() throws -> Bool {
        let result = try PosixProcessLauncher().run(
            ProcessSpec(executable: "/usr/bin/flock", arguments: ["-n", path, "true"], environment: ["PATH": "/usr/bin:/bin"], workingDirectory: "/", stdin: []),
            limits: ProcessLimits(timeoutSeconds: 10))
        return result.termination == .exited(0)
    }

    @Test func excludesAnotherProcessWhileHeld() throws {
        defer { unlink(path) }
        let lock = FileRunLock(path: path)
        let held = try #require(try lock.tryAcquire())
        #expect(try !otherProcessCanLock())
        held.release()
        #expect(try eventually { try otherProcessCanLock() })
    }

    @Test func isBusyWhileAnotherProcessHoldsIt() throws {
        defer { unlink(path) }
        let lock = FileRunLock(path: path)
        var pid: pid_t = 0
        let argv = ["/usr/bin/flock", path, "sleep", "2"]
        let status = CStringArray.with(argv) { args in CStringArray.with(["PATH=/usr/bin:/bin"]) { env in posix_spawn(&pid, argv[0], nil, nil, args, env) } }
        #expect(status == 0)
        defer { kill(pid, SIGKILL); var s: Int32 = 0; waitpid(pid, &s, 0) }
        var sawBusy = false
        for _ in 0..<100 {
            if try lock.tryAcquire() == nil { sawBusy = true; break }
            usleep(10_000)
        }
        #expect(sawBusy)
    }

    @Test func twoHoldersInOneProcessExcludeEachOther() throws {
        defer { unlink(path) }
        let lock = FileRunLock(path: path)
        let first = try #require(try lock.tryAcquire())
        #expect(try lock.tryAcquire() == nil)
        first.release()
        #expect(try eventually { try lock.tryAcquire() != nil })
    }

    @Test func anUnopenableLockFileIsAnInternalFailure() {
        #expect(throws: APIError.self) { try FileRunLock(path: "/nonexistent-dir/run.lock").tryAcquire() }
    }
}
