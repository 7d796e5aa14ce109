import Glibc

/// The one run a spare takes (``SpareLoop``): the run a worker hands over on its connection, supervised
/// as a worker's own supervisor (``SupervisorLoop``) supervises one — the same order and run lock in, the
/// same events out, end of file to cancel — with the waiting claude as the run's when the run would start
/// exactly that process and the spare is still fresh (``SpareLauncher``).
struct SpareRun {
    let spec: ProcessSpec
    /// The waiting claude (none when it could not be started).
    var spare: StartedProcess?
    let fingerprint: SpareFingerprint?
    /// Looks again at what ``fingerprint`` looked at.
    let look: () -> SpareFingerprint
    /// The socket to the keeper, which holds a copy of the run lock from `T` to `R`.
    let keeper: Int32
    /// Held until the run's processes are gone: then the next spare may start.
    var spareLock: Int32
    let cancel: CancelSignal
    let log: (String) -> Void

    /// Seconds the spare waits for the order of a worker that connected (it sends it at once).
    static let orderSeconds = 5.0

    /// Takes the run on `connection` and supervises it to its end.
    mutating func take(_ connection: Int32) {
        var connection = connection
        defer { Descriptor.close(&connection) }
        guard let (order, lock) = OrderReader.readOne(on: connection, within: Self.orderSeconds, cancel: cancel.descriptor) else {
            // No event: the worker sees the spare end before `started` and runs it with its own supervisor.
            log("warm spare: no run could be read from the worker that connected")
            retire()
            return
        }
        var runLock = lock
        // The keeper holds a copy of the lock until whatever this run leaves is gone, should this process be killed.
        if (try? SocketPair.send([SpareKeeper.taken], descriptor: runLock, on: keeper)) == nil {
            log("warm spare: its keeper is gone; the run goes on")
        }
        var plan = order.plan
        if let warm = SpareCommand.startedAhead(plan), SpareCommand.process(ofStartedAhead: warm) == spec {
            plan = warm
        } else {
            retire()  // a run it cannot serve (a worker with other options): cold, and no claude waits beside it
        }
        let fingerprint = self.fingerprint, look = self.look
        let launcher = SpareLauncher(spare: spare, spareSpec: spec, staleness: { started in
            if !started.isWaiting { return "its claude is no longer waiting" }
            if let change = fingerprint?.change(to: look()) { return "\(change) changed since it started" }
            return nil
        }, log: log)
        spare = nil
        var spareLock = self.spareLock
        var released = false
        let keeper = self.keeper
        let log = self.log
        let supervisor = RunSupervisor(
            plan: plan, launcher: launcher, store: FileJobStore(directory: RunSettings.jobsDirectory(in: plan.stateDirectory)),
            clock: SystemWallClock(), send: { [connection] in Descriptor.writeAll(connection, RunEventCodec.encode($0)) }, log: log,
            endLeftovers: {
                launcher.retireUnused()  // not a leftover of the run: retired as a spare is
                return ProcessControl.killAllDescendants()
            },
            releaseLock: {
                guard !released else { return }
                released = true
                Descriptor.close(&runLock)
                if !Self.keeperLetsGo(keeper) { log("warm spare: its keeper did not let the run lock go within a second") }
                // The run is over: the next spare may start.
                Descriptor.close(&spareLock)
            },
            startedAhead: { launcher.usedSpare })
        _ = supervisor.run(cancelOn: [cancel.descriptor, connection])
        launcher.retireUnused()
    }

    private mutating func retire() {
        guard var waiting = spare else { return }
        spare = nil
        waiting.retire(within: WarmSpareSettings.retireSeconds)
    }

    /// Asks the keeper to let its copy of the run lock go, and waits (a second at most) until it has, so
    /// that the worker that gets the final event finds the lock free. False when it did not answer in time.
    private static func keeperLetsGo(_ keeper: Int32) -> Bool {
        guard Descriptor.writeAll(keeper, [SpareKeeper.release]) else { return true }  // gone: its copy with it
        let deadline = Monotonic.now() + 1
        var buffer = [UInt8](repeating: 0, count: 16)
        while Monotonic.now() < deadline {
            var set = PollSet()
            set.watch(keeper, for: .readable)
            guard let ready = try? set.wait(seconds: deadline - Monotonic.now()), ready.contains(keeper) else { return false }
            let count = Descriptor.read(keeper, into: &buffer)
            if count <= 0 { return true }
            // A `Q` (its worker is gone) may come first: the run goes on all the same.
            if buffer.prefix(count).contains(SpareKeeper.released) { return true }
        }
        return false
    }
}
