import Glibc
import Testing
@testable import Core

@Suite struct SpareLauncherTests {
    let spareSpec = ProcessSpec(executable: "/bin/cat", arguments: [], environment: ["PATH": "/usr/bin:/bin"], workingDirectory: "/",
                                stdin: [], diesWithParent: true)
    let limits = ProcessLimits(timeoutSeconds: 10, killGraceSeconds: 1)

    /// The spec of a run: the spare's with `prompt` on stdin.
    func run(_ prompt: String, arguments: [String] = []) -> ProcessSpec {
        var spec = spareSpec
        spec.arguments = arguments
        spec.stdin = Array(prompt.utf8)
        return spec
    }

    /// Whether `pid` is still a process (a child not reaped yet counts).
    func exists(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }

    @Test func aRunThatIsTheSparesCommandLineTakesTheSpare() throws {
        let started = try PosixProcessLauncher().start(spareSpec)
        let cold = FakeLauncher()
        let log = LogLines()
        let launcher = SpareLauncher(spare: started, spareSpec: spareSpec, staleness: { _ in nil }, cold: cold, log: log.log)
        let result = try launcher.run(run("{\"type\":\"user\"}\n"), limits: limits, cancelOn: [], onStdout: nil)
        #expect(launcher.usedSpare)
        #expect(result.termination == .exited(0))
        #expect(String(decoding: result.stdout, as: UTF8.self) == "{\"type\":\"user\"}\n")
        #expect(cold.started.isEmpty)
        #expect(log.lines.isEmpty)
        #expect(!exists(started.pid), "the run reaped it")
    }

    @Test func theSpareIsTakenOnce() throws {
        let started = try PosixProcessLauncher().start(spareSpec)
        let cold = FakeLauncher()
        cold.answer("/bin/cat", FakeLauncher.exited(0, stdout: "cold"))
        let launcher = SpareLauncher(spare: started, spareSpec: spareSpec, staleness: { _ in nil }, cold: cold, log: { _ in })
        _ = try launcher.run(run("one"), limits: limits, cancelOn: [], onStdout: nil)
        let second = try launcher.run(run("two"), limits: limits, cancelOn: [], onStdout: nil)
        #expect(String(decoding: second.stdout, as: UTF8.self) == "cold")
        #expect(cold.started.map(\.stdin) == [Array("two".utf8)])
    }

    @Test func aStaleSpareIsRetiredAndTheRunStartsCold() throws {
        let started = try PosixProcessLauncher().start(spareSpec)
        let cold = FakeLauncher()
        cold.answer("/bin/cat", FakeLauncher.exited(0, stdout: "cold answer"))
        let log = LogLines()
        let asked = Box<[pid_t]>([])
        let launcher = SpareLauncher(spare: started, spareSpec: spareSpec, staleness: { spare in
            asked.value.append(spare.pid)
            return "/srv/work/CLAUDE.md changed"
        }, cold: cold, log: log.log)
        let spec = run("prompt")
        let result = try launcher.run(spec, limits: limits, cancelOn: [], onStdout: nil)
        #expect(!launcher.usedSpare)
        #expect(asked.value == [started.pid])
        #expect(String(decoding: result.stdout, as: UTF8.self) == "cold answer")
        #expect(cold.started == [spec], "the cold run gets the whole spec, its stdin too")
        #expect(log.lines == ["warm spare not used: /srv/work/CLAUDE.md changed; the run starts claude cold"])
        #expect(!exists(started.pid), "the stale spare was retired and reaped")
    }

    @Test func anotherProcessRunsColdAndTheSpareWaitsUntilRetiredUnused() throws {
        let started = try PosixProcessLauncher().start(spareSpec)
        let cold = FakeLauncher()
        cold.answer("/bin/cat", FakeLauncher.exited(0))
        let asked = Box(0)
        let launcher = SpareLauncher(spare: started, spareSpec: spareSpec, staleness: { _ in
            asked.value += 1
            return nil
        }, cold: cold, log: { _ in })
        let other = run("prompt", arguments: ["-n"])
        _ = try launcher.run(other, limits: limits, cancelOn: [], onStdout: nil)
        #expect(!launcher.usedSpare)
        #expect(cold.started == [other])
        #expect(asked.value == 0, "freshness is asked only of a run that would take the spare")
        #expect(started.isWaiting, "the spare is left waiting")
        launcher.retireUnused()
        #expect(!exists(started.pid))
        launcher.retireUnused()  // nothing left: a second call does nothing
    }

    @Test func aRunThatDiffersInAnyOtherFieldRunsCold() throws {
        let cold = FakeLauncher()
        var others: [ProcessSpec] = []
        var environment = spareSpec
        environment.environment["HOME"] = "/root"
        others.append(environment)
        var directory = spareSpec
        directory.workingDirectory = "/tmp"
        others.append(directory)
        var inherited = spareSpec
        inherited.inherited = [3: 0]
        others.append(inherited)
        for spec in others {
            let started = try PosixProcessLauncher().start(spareSpec)
            cold.answer("/bin/cat", FakeLauncher.exited(0))
            let launcher = SpareLauncher(spare: started, spareSpec: spareSpec, staleness: { _ in nil }, cold: cold, log: { _ in })
            _ = try launcher.run(spec, limits: limits, cancelOn: [], onStdout: nil)
            #expect(!launcher.usedSpare, "\(spec)")
            launcher.retireUnused()
            #expect(!exists(started.pid))
        }
        #expect(cold.started == others)
    }

    @Test func withoutASpareEveryRunIsCold() throws {
        let cold = FakeLauncher()
        cold.answer("/bin/cat", FakeLauncher.exited(0))
        let launcher = SpareLauncher(spare: nil, spareSpec: spareSpec, staleness: { _ in "never asked" }, cold: cold, log: { _ in })
        _ = try launcher.run(run("x"), limits: limits, cancelOn: [], onStdout: nil)
        #expect(!launcher.usedSpare)
        #expect(cold.started.count == 1)
    }

    @Test func aWarmRunIsCancelledAsAColdOneWouldBe() throws {
        var waiting = spareSpec
        waiting.executable = "/bin/sh"
        waiting.arguments = ["-c", "cat >/dev/null; exec sleep 30"]
        let started = try PosixProcessLauncher().start(waiting)
        let launcher = SpareLauncher(spare: started, spareSpec: waiting, staleness: { _ in nil }, cold: FakeLauncher(), log: { _ in })
        var cancel = try Pipe.make()
        Descriptor.close(&cancel.writeEnd)  // the worker hung up
        defer { cancel.close() }
        var spec = waiting
        spec.stdin = Array("prompt".utf8)
        let result = try launcher.run(spec, limits: limits, cancelOn: [cancel.readEnd], onStdout: { _ in })
        #expect(launcher.usedSpare)
        #expect(result.cancelled)
        #expect(result.termination == .signaled(SIGTERM))
    }
}
