import Glibc
import Testing
@testable import Core

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
        let args = CStringArray(argv), env = CStringArray(["PATH=/usr/bin:/bin"])
        let status = args.withPointer { args in env.withPointer { env in posix_spawn(&pid, argv[0], nil, nil, args, env) } }
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

    @Test func anUnopenableLockFileIsALockError() {
        #expect(throws: RunLockError.self) { try FileRunLock(path: "/nonexistent-dir/run.lock").tryAcquire() }
    }
}
