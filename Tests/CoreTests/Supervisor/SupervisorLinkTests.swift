import Glibc
import Testing
@testable import Core

/// The worker's side of the supervisor, with the test playing the supervisor at the other end of a
/// socket pair (on a thread of its own), and once with the real forked supervisor.
@Suite struct SupervisorLinkTests {
    /// What the played supervisor saw: the order, whether the run lock came with it, and whether the
    /// worker hung up after it.
    struct Seen: Sendable {
        var order: RunOrder?
        var gotLock = false
        var hungUp = false
    }

    final class Orphans: @unchecked Sendable { var ended = 0 }

    let plan = RunPlan(
        invocation: ClaudeInvocation(requestID: "req-7", model: "m", prompt: "hello", agent: "triage", streamsText: true),
        claude: ClaudeSettings(executable: "/opt/claude", workingDirectory: "/srv/w", maxBudgetUSD: "0.5", timeoutSeconds: 30,
                               killGraceSeconds: 2, environment: ["PATH": "/bin", "HOME": "/home/c"]),
        gitSync: GitSyncSettings(mode: .required, timeoutSeconds: 3), stateDirectory: "/state", kind: .chat)

    /// Plays the supervisor: reads the order (with the lock) and sends `first`; with `awaitHangUp`,
    /// then waits for the worker to shut its side; then `answer` writes to the socket.
    func playSupervisor(_ socket: Int32, first: [RunEvent] = [], awaitHangUp: Bool = false,
                        answer: @escaping @Sendable (Int32) -> Void) -> (BackgroundThread, Box<Seen>) {
        let seen = Box(Seen())
        let thread = BackgroundThread {
            var frames = Frames.Reader()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while seen.value.order == nil {
                let (count, descriptor) = SocketPair.receive(on: socket, into: &buffer)
                if let descriptor { seen.value.gotLock = true; close(descriptor) }
                guard count > 0 else { return }
                buffer.withUnsafeBytes { frames.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
                if case .success(let frame)? = frames.next() { seen.value.order = RunOrder.decode(kind: frame.kind, payload: frame.payload) }
            }
            Descriptor.writeAll(socket, first.flatMap(RunEventCodec.encode))
            if awaitHangUp { seen.value.hungUp = SocketPair.receive(on: socket, into: &buffer).count == 0 }
            answer(socket)
        }
        return (thread, seen)
    }

    func send(_ socket: Int32, _ events: [RunEvent]) {
        Descriptor.writeAll(socket, events.flatMap(RunEventCodec.encode))
    }

    func link(stop: StopRequest? = nil, stopTimeoutSeconds: Double = 90, orphans: Orphans) throws -> (SupervisorLink, SocketPair) {
        let pair = try SocketPair.make()
        let link = SupervisorLink(stop: stop, stopTimeoutSeconds: stopTimeoutSeconds, log: { _ in }, endOrphans: { orphans.ended += 1; return 0 })
        link.attach(socket: pair.first, pid: -1)
        return (link, pair)
    }

    @Test func theWholePlanAndTheLockGoOverAndTheEventsComeBack() throws {
        let orphans = Orphans()
        var (link, pair) = try link(orphans: orphans)
        defer { link.forget(); Descriptor.close(&pair.second) }
        let answer = ClaudeReport(usage: TokenUsage(inputTokens: 3, outputTokens: 2), costUSD: 0.02, exitCode: 0)
        let (thread, seen) = playSupervisor(pair.second) { socket in
            self.send(socket, [.started, .textDelta(Array("he".utf8)), .textDelta(Array("llo".utf8)), .result(text: "hello", report: answer)])
        }
        var lock = try Pipe.make()
        defer { lock.close() }
        var events: [RunEvent] = []
        let outcome = link.run(plan, lockDescriptor: lock.readEnd, cancelOn: nil, watcher: RunWatcher(onEvent: { events.append($0); return true }))
        thread.join()
        #expect(outcome == .succeeded(text: "hello", report: answer))
        #expect(events == [.started, .textDelta(Array("he".utf8)), .textDelta(Array("llo".utf8)), .result(text: "hello", report: answer)])
        #expect(seen.value.order == RunOrder(plan: plan))
        #expect(seen.value.gotLock)
        #expect(orphans.ended == 0)
    }

    @Test func anOversizedEventFrameFailsTheRunAtOnce() throws {
        let orphans = Orphans()
        var (link, pair) = try link(orphans: orphans)
        defer { Descriptor.close(&pair.second) }
        let (thread, _) = playSupervisor(pair.second) { socket in
            self.send(socket, [.started])
            Descriptor.writeAll(socket, [2, 0xff, 0xff, 0xff, 0xff])
        }
        let started = Monotonic.now()
        let outcome = link.run(plan, lockDescriptor: 0, cancelOn: nil)
        thread.join()
        #expect(outcome == .failed(detail: "the run supervisor sent a frame of 4294967295 bytes", report: nil))
        #expect(Monotonic.now() - started < 5)
        #expect(orphans.ended == 1, "a supervisor that broke the protocol is ended with what it left")
        #expect(link.supervisorPID == nil)
    }

    @Test func endOfFileMidRunIsAFailureAndItsOrphansAreEnded() throws {
        let orphans = Orphans()
        var (link, pair) = try link(orphans: orphans)
        let (thread, _) = playSupervisor(pair.second) { socket in
            self.send(socket, [.started, .textDelta([0x61])])
            shutdown(socket, Int32(SHUT_RDWR))
        }
        let outcome = link.run(plan, lockDescriptor: 0, cancelOn: nil)
        thread.join()
        Descriptor.close(&pair.second)
        #expect(outcome == .failed(detail: "the run supervisor ended without an answer", report: nil))
        #expect(orphans.ended == 1)
    }

    @Test func aClientHangUpIsPassedOnAndTheRunCancelled() throws {
        let orphans = Orphans()
        var (link, pair) = try link(orphans: orphans)
        defer { Descriptor.close(&pair.second) }
        var client = try SocketPair.make()
        defer { Descriptor.close(&client.first) }
        Descriptor.close(&client.second)
        let (thread, seen) = playSupervisor(pair.second, awaitHangUp: true) { socket in
            self.send(socket, [.failure(.cancelled, detail: "cancelled", report: nil)])
        }
        let outcome = link.run(plan, lockDescriptor: 0, cancelOn: client.first)
        thread.join()
        #expect(seen.value.hungUp)
        #expect(outcome == .cancelled(report: nil))
        #expect(link.supervisorPID == nil)
        #expect(orphans.ended == 0, "a supervisor told to stop exits on its own")
    }

    @Test func withAGraceAHangUpIsPassedOnOnlyAtTheGracesEnd() throws {
        let orphans = Orphans()
        var (link, pair) = try link(orphans: orphans)
        defer { Descriptor.close(&pair.second) }
        var client = try SocketPair.make()
        defer { Descriptor.close(&client.first) }
        Descriptor.close(&client.second)
        let (thread, seen) = playSupervisor(pair.second, awaitHangUp: true) { socket in
            self.send(socket, [.failure(.cancelled, detail: "cancelled", report: nil)])
        }
        let started = Monotonic.now()
        let outcome = link.run(plan, lockDescriptor: 0, cancelOn: client.first,
                               watcher: RunWatcher(hangUpGrace: HangUpGrace(seconds: 0.4, isAttached: { false })))
        thread.join()
        #expect(Monotonic.now() - started >= 0.4)
        #expect(seen.value.hungUp)
        #expect(outcome == .cancelled(report: nil))
    }

    @Test func withAGraceAndAnAttachedResendTheRunGoesOnToItsEnd() throws {
        let orphans = Orphans()
        var (link, pair) = try link(orphans: orphans)
        defer { link.forget(); Descriptor.close(&pair.second) }
        var client = try SocketPair.make()
        defer { Descriptor.close(&client.first) }
        Descriptor.close(&client.second)
        let hungUp = Box(false)
        let (thread, _) = playSupervisor(pair.second) { socket in
            // Well past the grace: a hang-up would have come by then.
            var set = PollSet()
            set.watch(socket, for: .readable)
            hungUp.value = (try? set.wait(seconds: 0.8))?.contains(socket) ?? false
            self.send(socket, [.result(text: "fine", report: ClaudeReport())])
        }
        let outcome = link.run(plan, lockDescriptor: 0, cancelOn: client.first,
                               watcher: RunWatcher(hangUpGrace: HangUpGrace(seconds: 0.2, isAttached: { true })))
        thread.join()
        #expect(!hungUp.value)
        #expect(outcome == .succeeded(text: "fine", report: ClaudeReport()))
    }

    @Test func dataFromTheClientIsNoHangUp() throws {
        let orphans = Orphans()
        var (link, pair) = try link(orphans: orphans)
        defer { link.forget(); Descriptor.close(&pair.second) }
        var client = try SocketPair.make()
        defer { Descriptor.close(&client.first); Descriptor.close(&client.second) }
        Descriptor.writeAll(client.second, [1, 2, 3])
        let (thread, _) = playSupervisor(pair.second) { socket in
            usleep(200_000)
            self.send(socket, [.result(text: "fine", report: ClaudeReport())])
        }
        let outcome = link.run(plan, lockDescriptor: 0, cancelOn: client.first)
        thread.join()
        #expect(outcome == .succeeded(text: "fine", report: ClaudeReport()))
    }

    @Test func aWatcherThatDeclinesHangsUp() throws {
        let orphans = Orphans()
        var (link, pair) = try link(orphans: orphans)
        defer { Descriptor.close(&pair.second) }
        let (thread, seen) = playSupervisor(pair.second, first: [.started], awaitHangUp: true) { socket in
            self.send(socket, [.failure(.cancelled, detail: "cancelled", report: nil)])
        }
        let outcome = link.run(plan, lockDescriptor: 0, cancelOn: nil, watcher: RunWatcher(onEvent: { $0 != .started }))
        thread.join()
        #expect(seen.value.hungUp)
        #expect(outcome == .cancelled(report: nil))
    }

    @Test func aStopRequestLetsTheRunGoOnForItsTimeThenCancelsIt() throws {
        let orphans = Orphans()
        var stopPipe = try Pipe.make()
        defer { stopPipe.close() }
        Descriptor.writeAll(stopPipe.writeEnd, [1])
        var (link, pair) = try link(stop: StopRequest(descriptor: stopPipe.readEnd), stopTimeoutSeconds: 0.3, orphans: orphans)
        defer { Descriptor.close(&pair.second) }
        let (thread, seen) = playSupervisor(pair.second, awaitHangUp: true) { socket in
            self.send(socket, [.failure(.cancelled, detail: "cancelled", report: ClaudeReport(exitCode: 143))])
        }
        let started = Monotonic.now()
        let outcome = link.run(plan, lockDescriptor: 0, cancelOn: nil)
        thread.join()
        #expect(seen.value.hungUp)
        #expect(Monotonic.now() - started >= 0.3)
        #expect(outcome == .failed(
            detail: "cancelled: the worker is stopping and the run went on longer than --stop-timeout (0.3 s)", report: ClaudeReport(exitCode: 143)))
    }

}

/// The link with the supervisor it forks: the plan the worker made is the plan that runs.
@Suite(.serialized) struct SupervisorLinkForkTests {
    @Test func theForkedSupervisorRunsThePlanItIsHanded() throws {
        let scratch = ScratchDirectory("link")
        defer { scratch.remove() }
        let claude = scratch.script("claude", standInClaude(answer: #""$MARK in $(pwd)""#))
        let plan = scratchPlan(scratch, executable: claude, environment: ["MARK": "from-the-plan"])
        let link = SupervisorLink(stop: nil, stopTimeoutSeconds: 90, log: { _ in }, endOrphans: { 0 })
        try link.start()
        let pid = try #require(link.supervisorPID)
        defer {
            link.forget()
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        let lock = FileRunLock(path: scratch.path + "/run.lock")
        let held = try #require(try lock.tryAcquire())
        let outcome = link.run(plan, lockDescriptor: try #require(held.descriptor), cancelOn: nil)
        held.release()
        guard case .succeeded(let text, let report) = outcome else {
            Issue.record("the run did not succeed: \(outcome)")
            return
        }
        #expect(text == "from-the-plan in \(scratch.path)")
        #expect(report.costUSD == 0.01)
        #expect(scratch.read("audit.log")?.contains("\"request_id\":\"req-1\"") == true, "the audit line went to the plan's state directory")
        #expect(try lock.tryAcquire() != nil, "the supervisor let the lock go")
        #expect(link.supervisorPID == pid, "the supervisor stays for the next run")

        let again = try #require(try lock.tryAcquire())
        let second = link.run(scratchPlan(scratch, executable: claude, environment: ["MARK": "second"]),
                              lockDescriptor: try #require(again.descriptor), cancelOn: nil)
        again.release()
        #expect(second.kind == .succeeded)
        if case .succeeded(let text, _) = second { #expect(text == "second in \(scratch.path)", "each run is its own plan") }
        #expect(link.supervisorPID == pid)
    }
}
