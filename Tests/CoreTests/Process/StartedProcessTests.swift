import Glibc
import Testing
@testable import Core

@Suite struct StartedProcessTests {
    let limits = ProcessLimits(timeoutSeconds: 10, killGraceSeconds: 1)

    func start(_ script: String) throws -> StartedProcess {
        try PosixProcessLauncher().start(ProcessSpec(executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/usr/bin:/bin"],
                                                     workingDirectory: "/", stdin: Array("never written".utf8)))
    }

    /// Waits (at most 10 s) until the process stops waiting; true when it did.
    func stopsWaiting(_ process: StartedProcess) -> Bool {
        let deadline = Monotonic.now() + 10
        while Monotonic.now() < deadline {
            if !process.isWaiting { return true }
            Monotonic.sleep(0.01)
        }
        return false
    }

    @Test func aStartedProcessWaitsForItsInput() throws {
        var process = try start("exec cat")
        #expect(process.isWaiting)
        #expect(process.watched.count == 1, "its stdout")
        Monotonic.sleep(0.1)
        #expect(process.isWaiting, "the spec's stdin was not written: cat still waits")
        process.retire(within: 5)
    }

    @Test func runGivesItItsInputAndCollectsItsEnd() throws {
        var process = try start("cat; echo done >&2; exit 4")
        let result = process.run(stdin: Array("the prompt\n".utf8), limits: limits, cancelOn: [], onStdout: nil)
        #expect(result.termination == .exited(4))
        #expect(String(decoding: result.stdout, as: UTF8.self) == "the prompt\n")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "done\n")
        #expect(!result.timedOut && !result.cancelled)
        #expect(kill(process.pid, 0) != 0, "reaped")
    }

    @Test func runHandsStdoutToTheObserver() throws {
        var process = try start("exec cat")
        var seen: [UInt8] = []
        let result = process.run(stdin: Array("streamed".utf8), limits: limits, cancelOn: [], onStdout: { seen += $0 })
        #expect(seen == Array("streamed".utf8))
        #expect(result.stdout.isEmpty)
    }

    @Test func retireEndsAProcessThatExitsOnEndOfFile() throws {
        var process = try start("exec cat")
        let started = Monotonic.now()
        let result = process.retire(within: 5)
        #expect(result.termination == .exited(0))
        #expect(!result.timedOut)
        #expect(result.stdout.isEmpty)
        #expect(Monotonic.now() - started < 5, "it did not wait for the time limit")
        #expect(kill(process.pid, 0) != 0, "reaped")
        #expect(process.watched.isEmpty, "its pipes went to the pump that ended it")
        #expect(!process.isWaiting)
    }

    @Test func retireStopsAProcessThatIgnoresEndOfFile() throws {
        var process = try start("exec sleep 30")
        let result = process.retire(within: 0.2)
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGTERM))
        #expect(kill(process.pid, 0) != 0, "reaped")
    }

    @Test func retireKillsAProcessThatIgnoresEndOfFileAndTerm() throws {
        var process = try start("trap '' TERM; sleep 30")
        let result = process.retire(within: 0.2)
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGKILL))
        #expect(kill(process.pid, 0) != 0, "reaped")
    }

    @Test func aProcessThatWroteIsNoLongerWaiting() throws {
        var process = try start("echo hi; exec cat")
        #expect(stopsWaiting(process))
        #expect(kill(process.pid, 0) == 0, "still alive: what it wrote ends its wait")
        let result = process.retire(within: 5)
        #expect(result.termination == .exited(0))
        #expect(result.stdout.isEmpty, "a retired process's output is dropped")
    }

    @Test func aWarningOnStderrLeavesItWaiting() throws {
        var process = try start("echo 'a warning at start' >&2; exec cat")
        Monotonic.sleep(0.2)
        #expect(process.isWaiting, "stderr is no answer: it is read with the run's")
        let result = process.run(stdin: Array("the prompt".utf8), limits: ProcessLimits(timeoutSeconds: 5), cancelOn: [], onStdout: nil)
        #expect(String(decoding: result.stderr, as: UTF8.self) == "a warning at start\n")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "the prompt")
    }

    @Test func aProcessThatExitedIsNoLongerWaiting() throws {
        var process = try start("exec 1>&- 2>&-; exit 3")
        #expect(stopsWaiting(process))
        #expect(process.retire(within: 5).termination == .exited(3))
    }

    @Test func aProcessThatExitedKeepingItsOutputOpenIsNoLongerWaiting() throws {
        // A descendant holds stdout and stderr open: only the exit itself tells.
        var process = try start("sleep 30 </dev/null & exit 0")
        #expect(stopsWaiting(process))
        #expect(process.retire(within: 5).termination == .exited(0))
    }
}
