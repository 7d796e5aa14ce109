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
        #expect(String(decoding: result.stdout, as: UTF8.self).trimmingWhitespace() == "0")
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

    @Test func aMissingExecutableOrWorkingDirectoryIsReportedNotRun() {
        #expect(throws: SpawnError.notFound("/nonexistent/claude")) {
            try launcher.run(ProcessSpec(executable: "/nonexistent/claude", arguments: [], environment: environment, workingDirectory: "/", stdin: []),
                             limits: ProcessLimits(timeoutSeconds: 1))
        }
        #expect(throws: SpawnError.notFound("no-such-program (searched PATH)")) {
            try launcher.run(ProcessSpec(executable: "no-such-program", arguments: [], environment: environment, workingDirectory: "/", stdin: []),
                             limits: ProcessLimits(timeoutSeconds: 1))
        }
        #expect(throws: SpawnError.failed("cannot enter /nonexistent-dir: No such file or directory")) {
            try run("true", cwd: "/nonexistent-dir")
        }
    }

    @Test func inheritedDescriptorsArriveWhereAskedAndNothingElseDoes() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let result = try launcher.run(
            ProcessSpec(executable: "/bin/sh", arguments: ["-c", "ls /proc/self/fd; echo via-fd-5 >&5"], environment: environment,
                        workingDirectory: "/", stdin: [], inherited: [5: fds[1]]),
            limits: ProcessLimits(timeoutSeconds: 10))
        let open = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }.sorted()
        // 0-2, 5, and the descriptor ls itself opens to read the directory.
        #expect(open.filter { $0 != 3 } == [0, 1, 2, 5])
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fds[0], &buffer, 64)
        #expect(String(decoding: buffer[..<max(0, count)], as: UTF8.self) == "via-fd-5\n")
    }

    @Test func aChildStartsWithDefaultSignalsAndNoMask() throws {
        // The worker ignores SIGPIPE; its children must not.
        signal(SIGPIPE, SIG_IGN)
        let result = try launcher.run(
            ProcessSpec(executable: "/bin/sh", arguments: ["-c", "exec grep -E '^(PPid|SigBlk|SigIgn)' /proc/self/status"], environment: environment,
                        workingDirectory: "/", stdin: [], diesWithParent: true),
            limits: ProcessLimits(timeoutSeconds: 10))
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text.contains("PPid:\t\(getpid())"))
        #expect(text.contains("SigBlk:\t0000000000000000"))
        let ignored = text.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }.flatMap { UInt64($0.dropFirst(8), radix: 16) }
        #expect(ignored.map { $0 & (1 << (UInt64(SIGPIPE) - 1)) } == 0)
    }
}
