import Glibc
import Testing
@testable import Core

/// The supervisor's loop on a thread of the test, the test playing the worker at the other end of a
/// socket pair. Frames it cannot take never start a run, so nothing is forked here; a run it does
/// take is in `SupervisorLinkForkTests`.
@Suite struct SupervisorLoopTests {
    final class Lines: @unchecked Sendable { var lines: [String] = [] }

    struct Running {
        var worker: Int32
        let thread: BackgroundThread
        let exitCode: Box<Int32>
        let log: Lines
        var cancel: Pipe

        /// The next event from the loop, read as the worker does.
        func nextEvent(within seconds: Double = 5) throws -> RunEvent? {
            var decoder = RunEventCodec.Decoder()
            var buffer = [UInt8](repeating: 0, count: 4096)
            let deadline = Monotonic.now() + seconds
            while Monotonic.now() < deadline {
                if let event = try decoder.next() { return event }
                var set = PollSet()
                set.watch(worker, for: .readable)
                guard try set.wait(seconds: deadline - Monotonic.now()).contains(worker) else { return nil }
                let count = Descriptor.read(worker, into: &buffer)
                guard count > 0 else { return nil }
                buffer.withUnsafeBytes { decoder.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            }
            return nil
        }

        /// Hangs up as a worker that is gone does; the loop's exit code.
        mutating func stop() -> Int32 {
            Descriptor.close(&worker)
            thread.join()
            cancel.close()
            return exitCode.value
        }
    }

    func start(limit: Int = Frames.maxPayload) throws -> Running {
        var pair = try SocketPair.make()
        let cancel = try Pipe.make()
        let exitCode = Box<Int32>(-1)
        let log = Lines()
        let supervisorEnd = pair.second
        let cancelEnd = cancel.readEnd
        let thread = BackgroundThread {
            var loop = SupervisorLoop(socket: supervisorEnd, cancel: CancelSignal(descriptor: cancelEnd), log: { log.lines.append($0) },
                                      frames: Frames.Reader(limit: limit))
            exitCode.value = loop.run()
            close(supervisorEnd)
        }
        pair.second = -1
        return Running(worker: pair.first, thread: thread, exitCode: exitCode, log: log, cancel: cancel)
    }

    static let unreadable = RunEvent.failure(.failed, detail: "the run supervisor could not read the run it was given", report: nil)

    @Test func aFrameThatIsNoOrderIsAnsweredWithAFailure() throws {
        var loop = try start()
        var lock = try Pipe.make()
        defer { lock.close() }
        try SocketPair.send(Frames.encode(kind: 9, payload: [1, 2, 3]), descriptor: lock.writeEnd, on: loop.worker)
        #expect(try loop.nextEvent() == Self.unreadable)
        Descriptor.close(&lock.writeEnd)
        var byte: UInt8 = 0
        #expect(read(lock.readEnd, &byte, 1) == 0, "the lock that came with it was let go")
        #expect(loop.stop() == 0)
    }

    @Test func anOrderWithoutTheRunLockIsNotRun() throws {
        var loop = try start()
        let order = try RunOrder(plan: RunOrderTests.plan(ClaudeInvocation(prompt: "p", agent: nil))).encode()
        #expect(Descriptor.writeAll(loop.worker, order))
        #expect(try loop.nextEvent() == Self.unreadable)
        #expect(loop.stop() == 0)
    }

    @Test func aFrameOverTheLimitIsAnsweredFromItsHeader() throws {
        var loop = try start()
        var lock = try Pipe.make()
        defer { lock.close() }
        try SocketPair.send([UInt8(RunOrder.kind), 0xff, 0xff, 0xff, 0xff], descriptor: lock.writeEnd, on: loop.worker)
        let detail = "the run supervisor was sent a frame of 4294967295 bytes, over the limit of \(Frames.maxPayload)"
        #expect(try loop.nextEvent(within: 5) == .failure(.failed, detail: detail, report: nil))
        Descriptor.close(&lock.writeEnd)
        var byte: UInt8 = 0
        #expect(read(lock.readEnd, &byte, 1) == 0, "the lock that came with it was let go")
        #expect(loop.stop() == 0)
        #expect(loop.log.lines == [detail])
    }

    @Test func afterTheFrameOverTheLimitTheNextIsReadInStep() throws {
        var loop = try start(limit: 16)
        #expect(Descriptor.writeAll(loop.worker, Frames.encode(kind: RunOrder.kind, payload: Array(repeating: 7, count: 100))))
        #expect(try loop.nextEvent() == .failure(.failed, detail: "the run supervisor was sent a frame of 100 bytes, over the limit of 16", report: nil))
        #expect(Descriptor.writeAll(loop.worker, Frames.encode(kind: 9, payload: [])))
        #expect(try loop.nextEvent() == Self.unreadable)
        #expect(loop.stop() == 0)
    }

    @Test func aCancelSignalEndsTheLoop() throws {
        var loop = try start()
        Descriptor.writeAll(loop.cancel.writeEnd, [1])
        loop.thread.join()
        #expect(loop.exitCode.value == 0)
        Descriptor.close(&loop.worker)
        loop.cancel.close()
    }
}
