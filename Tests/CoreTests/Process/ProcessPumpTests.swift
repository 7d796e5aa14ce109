import Glibc
import Testing
@testable import Core

/// One child's life in the pump: its streams, its limits, its timeout and its cancel descriptors.
@Suite struct ProcessPumpTests {
    func pump(_ script: String, limits: ProcessLimits = ProcessLimits(timeoutSeconds: 10, killGraceSeconds: 1), stdin: [UInt8] = [],
              cancelOn: [Int32] = [], onStdout: ((UnsafeRawBufferPointer) -> Void)? = nil) throws -> ProcessResult {
        var pipes = try ChildPipes.make()
        let pid = try Spawn.start(executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/usr/bin:/bin"],
                                  workingDirectory: "/", descriptors: pipes.childEnds, newSession: true, diesWithParent: true)
        pipes.closeChildEnds()
        var pump = ProcessPump(pid: pid, pipes: pipes, limits: limits)
        return pump.run(stdin: stdin, cancelOn: cancelOn, onStdout: onStdout)
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func stdoutAndStderrAreKeptApartAndStdinIsFed() throws {
        let result = try pump("tr a-z A-Z; printf 'to stderr' >&2; exit 4", stdin: Array("shout".utf8))
        #expect(text(result.stdout) == "SHOUT")
        #expect(text(result.stderr) == "to stderr")
        #expect(result.termination == .exited(4))
        #expect(!result.timedOut && !result.cancelled)
    }

    @Test func aStdoutSinkGetsTheStreamAndNothingIsKept() throws {
        var streamed: [UInt8] = []
        let result = try pump("printf one; sleep 0.1; printf two", onStdout: { streamed.append(contentsOf: $0) })
        #expect(text(streamed) == "onetwo")
        #expect(result.stdout.isEmpty)
    }

    @Test func stdoutIsCutAtItsLimitAndStderrKeepsItsTail() throws {
        let result = try pump("head -c 100000 /dev/zero; printf 'abcdefgh' >&2",
                              limits: ProcessLimits(timeoutSeconds: 10, maxStdoutBytes: 10, stderrTailBytes: 4))
        #expect(result.stdout == Array(repeating: 0, count: 10))
        #expect(text(result.stderr) == "efgh")
        #expect(result.termination == .exited(0), "the rest of stdout is read and dropped, so the child is not blocked")
    }

    @Test func theTimeoutTermsTheGroupThenKillsItAfterTheGrace() throws {
        let start = Monotonic.now()
        let termed = try pump("sleep 30", limits: ProcessLimits(timeoutSeconds: 0.2, killGraceSeconds: 5))
        #expect(termed.timedOut && !termed.cancelled)
        #expect(termed.termination == .signaled(SIGTERM))
        #expect(Monotonic.now() - start < 4)

        let stubborn = Monotonic.now()
        let killed = try pump("trap '' TERM; while :; do sleep 0.05; done", limits: ProcessLimits(timeoutSeconds: 0.2, killGraceSeconds: 0.3))
        #expect(killed.timedOut)
        #expect(killed.termination == .signaled(SIGKILL))
        #expect(Monotonic.now() - stubborn >= 0.5)
        #expect(Monotonic.now() - stubborn < 4)
    }

    @Test func aByteOnACancelPipeStopsTheChild() throws {
        var cancel = try Pipe.make()
        defer { cancel.close() }
        Descriptor.writeAll(cancel.writeEnd, [1])
        let start = Monotonic.now()
        let result = try pump("sleep 30", cancelOn: [cancel.readEnd])
        #expect(result.cancelled && !result.timedOut)
        #expect(result.termination == .signaled(SIGTERM))
        #expect(Monotonic.now() - start < 4)
    }

    @Test func aCancelledChildThatIgnoresTermIsKilledAfterTheGrace() throws {
        var cancel = try Pipe.make()
        defer { cancel.close() }
        // Once the child has set its trap.
        let writeEnd = cancel.writeEnd
        let closer = BackgroundThread {
            usleep(300_000)
            close(writeEnd)
        }
        let result = try pump("trap '' TERM; while :; do sleep 0.05; done", limits: ProcessLimits(timeoutSeconds: 10, killGraceSeconds: 0.3),
                              cancelOn: [cancel.readEnd])
        closer.join()
        cancel.writeEnd = -1
        #expect(result.cancelled && !result.timedOut)
        #expect(result.termination == .signaled(SIGKILL))
    }

    @Test func aSocketsPeerGoneCancelsButDataOnItDoesNot() throws {
        var gone = try SocketPair.make()
        defer { Descriptor.close(&gone.first) }
        Descriptor.close(&gone.second)
        let cancelled = try pump("sleep 30", cancelOn: [gone.first])
        #expect(cancelled.cancelled)

        var talking = try SocketPair.make()
        defer { Descriptor.close(&talking.first); Descriptor.close(&talking.second) }
        Descriptor.writeAll(talking.second, Array("more of the request".utf8))
        let finished = try pump("sleep 0.3; printf done", cancelOn: [talking.first, -1])
        #expect(!finished.cancelled)
        #expect(finished.termination == .exited(0))
        #expect(text(finished.stdout) == "done")
    }
}
