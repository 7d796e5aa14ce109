import Glibc
import Testing
@testable import Core

@Suite struct PollSetTests {
    @Test func reportsWhichDescriptorsAreReady() throws {
        var quiet = try Pipe.make()
        var loud = try Pipe.make()
        defer { quiet.close(); loud.close() }
        Descriptor.writeAll(loud.writeEnd, [1])
        var set = PollSet()
        set.watch(quiet.readEnd, for: .readable)
        set.watch(loud.readEnd, for: .readable)
        set.watch(quiet.writeEnd, for: .writable)
        set.watch(-1, for: .readable)
        set.watch(nil, for: .readable)
        let ready = try set.wait(seconds: 5)
        #expect(ready.contains(loud.readEnd))
        #expect(ready.contains(quiet.writeEnd))
        #expect(!ready.contains(quiet.readEnd))
        #expect(!ready.contains(-1) && !ready.contains(nil))
    }

    @Test func aWaitWithNothingReadyEndsAfterItsTime() throws {
        var pipe = try Pipe.make()
        defer { pipe.close() }
        var set = PollSet()
        set.watch(pipe.readEnd, for: .readable)
        let start = Monotonic.now()
        let ready = try set.wait(seconds: 0.15)
        let waited = Monotonic.now() - start
        #expect(ready.isEmpty)
        #expect(waited >= 0.15)
        #expect(waited < 3)
        #expect(try set.wait(seconds: -1).isEmpty, "a time already past does not wait")
    }

    @Test func endOfFileIsReadyAndAPeerGoneIsSeenOnASocket() throws {
        var pipe = try Pipe.make()
        defer { pipe.close() }
        Descriptor.close(&pipe.writeEnd)
        var pair = try SocketPair.make()
        defer { Descriptor.close(&pair.first) }
        Descriptor.close(&pair.second)
        var set = PollSet()
        set.watch(pipe.readEnd, for: .readable)
        set.watch(pair.first, for: .peerClosed)
        let ready = try set.wait(seconds: 5)
        #expect(ready.contains(pipe.readEnd))
        #expect(ready.contains(pair.first))
    }

    @Test func secondsBecomeWholeMillisecondsRoundedUp() {
        #expect(PollSet.milliseconds(0) == 0)
        #expect(PollSet.milliseconds(-3) == 0)
        #expect(PollSet.milliseconds(0.0004) == 1)
        #expect(PollSet.milliseconds(1.5) == 1500)
        #expect(PollSet.milliseconds(.infinity) == Int32.max)
    }

    @Test func aSignalDuringTheWaitDoesNotEndIt() throws {
        var pipe = try Pipe.make()
        defer { pipe.close() }
        // A handler without SA_RESTART: poll is interrupted (EINTR) and must go on for the time left.
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigaction(SIGWINCH, &action, nil)
        let readEnd = pipe.readEnd
        let outcome = Box<(waited: Double, empty: Bool)?>(nil)
        let thread = Box<pthread_t?>(nil)
        let waiter = BackgroundThread {
            // The test's threads block signals; this one takes SIGWINCH.
            var only = sigset_t()
            sigemptyset(&only)
            sigaddset(&only, SIGWINCH)
            pthread_sigmask(SIG_UNBLOCK, &only, nil)
            thread.value = pthread_self()
            var set = PollSet()
            set.watch(readEnd, for: .readable)
            let start = Monotonic.now()
            let ready = try? set.wait(seconds: 0.4)
            outcome.value = (Monotonic.now() - start, ready?.isEmpty ?? false)
        }
        let deadline = Monotonic.now() + 5
        while thread.value == nil && Monotonic.now() < deadline { usleep(10_000) }
        usleep(100_000)
        let target = try #require(thread.value)
        #expect(pthread_kill(target, SIGWINCH) == 0)
        waiter.join()
        let result = try #require(outcome.value)
        #expect(result.empty)
        #expect(result.waited >= 0.4)
    }
}
