import Glibc
import Testing
@testable import Core

@Suite struct RunGateQueueTests {
    let on = QueueSettings(waitSeconds: 30, length: 16, perCaller: 4)

    @Test func queueOffIsTryAcquireBusyAtOnce() throws {
        let scratch = QueueScratch()
        defer { scratch.remove() }
        let gate = RunGate(lock: FileRunLock(path: scratch.lockPath), line: FileRunQueue(directory: scratch.queuePath))
        let holder = scratch.holdLock()
        #expect(try gate.acquire(caller: "c", connection: nil) { true }.name == "busy")
        scratch.release(holder)
        let result = try gate.acquire(caller: "c", connection: nil) { true }
        #expect(result.name == "acquired")
        #expect(!FileBytes.names(inDirectory: scratch.directory.path).contains("queue"), "no line without the queue on")
    }

    @Test func anEmptyLineTakesTheFreeLockAtOnceAndLeavesNothing() throws {
        let scratch = QueueScratch()
        defer { scratch.remove() }
        let result = try scratch.gate(on).acquire(caller: "c", connection: nil) { true }
        #expect(result.name == "acquired")
        #expect(scratch.tickets.isEmpty)
    }

    @Test func waitersGetTheLockInTheOrderTheyCame() {
        let scratch = QueueScratch()
        defer { scratch.remove() }
        let holder = scratch.holdLock()
        var waiters: [(BackgroundThread, Box<WaitRecord>)] = []
        for index in 0..<5 {
            // Callers alternate, so that the order is the line's, not one caller's.
            waiters.append(startWaiter(scratch.gate(on), caller: index.isMultiple(of: 2) ? "a" : "b"))
            #expect(scratch.waitForTickets(index + 1))
        }
        scratch.release(holder)
        for (thread, _) in waiters { thread.join() }
        let records = waiters.map { $0.1.value }
        #expect(records.map(\.result) == Array(repeating: "acquired", count: 5))
        #expect(records.map(\.acquiredAt) == records.map(\.acquiredAt).sorted(), "first come, first served")
        #expect(scratch.tickets.isEmpty)
    }

    @Test func theWaitOverIsBusyAndLeavesTheLine() {
        let scratch = QueueScratch()
        defer { scratch.remove() }
        let holder = scratch.holdLock()
        defer { scratch.release(holder) }
        let (thread, record) = startWaiter(scratch.gate(QueueSettings(waitSeconds: 0.3)))
        thread.join()
        #expect(record.value.result == "busy")
        #expect(record.value.seconds >= 0.3 && record.value.seconds < 5)
        #expect(scratch.tickets.isEmpty)
    }

    @Test func aFullLineIsBusyAtOnce() throws {
        let scratch = QueueScratch()
        defer { scratch.remove() }
        let settings = QueueSettings(waitSeconds: 30, length: 2, perCaller: 4)
        let holder = scratch.holdLock()
        let waiters = [startWaiter(scratch.gate(settings)), startWaiter(scratch.gate(settings), caller: "d")]
        #expect(scratch.waitForTickets(2))
        let start = Monotonic.now()
        #expect(try scratch.gate(settings).acquire(caller: "e", connection: nil) { true }.name == "busy")
        #expect(Monotonic.now() - start < 5, "at once, not after the wait")
        #expect(scratch.tickets.count == 2)
        scratch.release(holder)
        for (thread, record) in waiters {
            thread.join()
            #expect(record.value.result == "acquired")
        }
        #expect(scratch.tickets.isEmpty)
    }

    @Test func aCallerHoldingItsPlacesIsBusyAtOnceOthersStillWait() throws {
        let scratch = QueueScratch()
        defer { scratch.remove() }
        let settings = QueueSettings(waitSeconds: 30, length: 16, perCaller: 1)
        let holder = scratch.holdLock()
        let first = startWaiter(scratch.gate(settings), caller: "alice")
        #expect(scratch.waitForTickets(1))
        #expect(try scratch.gate(settings).acquire(caller: "alice", connection: nil) { true }.name == "busy")
        let other = startWaiter(scratch.gate(settings), caller: "bob")
        #expect(scratch.waitForTickets(2))
        #expect(scratch.tickets.map { $0.split(separator: "-", maxSplits: 1)[1] } == ["alice", "bob"])
        scratch.release(holder)
        for (thread, record) in [first, other] {
            thread.join()
            #expect(record.value.result == "acquired")
        }
        #expect(scratch.tickets.isEmpty)
    }

    @Test func theClientsHangUpLeavesTheLineAtOnce() throws {
        let scratch = QueueScratch()
        defer { scratch.remove() }
        let holder = scratch.holdLock()
        defer { scratch.release(holder) }
        var pair = try SocketPair.make()
        defer { Descriptor.close(&pair.first) }
        let (thread, record) = startWaiter(scratch.gate(on), connection: pair.first)
        #expect(scratch.waitForTickets(1))
        let hungUpAt = Monotonic.now()
        Descriptor.close(&pair.second)
        thread.join()
        #expect(record.value.result == "hungUp")
        #expect(Monotonic.now() - hungUpAt < 1, "not at the next notice or the end of the wait")
        #expect(scratch.tickets.isEmpty)
    }

    @Test func dataOnTheConnectionIsNoHangUp() throws {
        let scratch = QueueScratch()
        defer { scratch.remove() }
        let holder = scratch.holdLock()
        var pair = try SocketPair.make()
        defer { Descriptor.close(&pair.first); Descriptor.close(&pair.second) }
        let (thread, record) = startWaiter(scratch.gate(on), connection: pair.first)
        #expect(scratch.waitForTickets(1))
        Descriptor.writeAll(pair.second, [1])
        Monotonic.sleep(0.1)
        scratch.release(holder)
        thread.join()
        #expect(record.value.result == "acquired")
        #expect(scratch.tickets.isEmpty)
    }

    @Test func onWaitIsCalledAboutOnceASecondAndItsFalseIsAHangUp() {
        let scratch = QueueScratch()
        defer { scratch.remove() }
        let holder = scratch.holdLock()
        defer { scratch.release(holder) }
        let calls = Box(0)
        let (thread, record) = startWaiter(scratch.gate(on)) {
            calls.value += 1
            return calls.value < 2
        }
        thread.join()
        #expect(record.value.result == "hungUp")
        #expect(record.value.notices == 2)
        #expect(record.value.seconds > 1.5 && record.value.seconds < 10)
        #expect(scratch.tickets.isEmpty)
    }

    @Test func aKilledWaitersTicketIsSkippedAndRemoved() throws {
        let scratch = QueueScratch()
        defer { scratch.remove() }
        let holder = scratch.holdLock()
        var ready = try Pipe.make()
        let child = fork()
        if child == 0 {
            // A waiter in another process that joins the line, says so, and waits to be killed.
            guard case .waiting(let ticket)? = try? FileRunQueue(directory: scratch.queuePath)
                .join(caller: "dead", settings: on, tryLock: { nil }) else { _exit(1) }
            Descriptor.writeAll(ready.writeEnd, [1])
            withExtendedLifetime(ticket) { while true { pause() } }
        }
        Descriptor.close(&ready.writeEnd)
        var buffer = [UInt8](repeating: 0, count: 1)
        #expect(Descriptor.read(ready.readEnd, into: &buffer) == 1)
        Descriptor.close(&ready.readEnd)
        // Bounded: with the dead ticket never skipped, the wait ends busy.
        let (thread, record) = startWaiter(scratch.gate(QueueSettings(waitSeconds: 5)), caller: "live")
        #expect(scratch.waitForTickets(2))
        kill(child, SIGKILL)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        scratch.release(holder)
        thread.join()
        #expect(record.value.result == "acquired")
        #expect(scratch.tickets.isEmpty, "the dead waiter's ticket removed too")
    }
}
