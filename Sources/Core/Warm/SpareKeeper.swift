import Glibc

/// A spare's keeper: the worker's child that forks the spare (``SpareLoop``) and outlives it, so that
/// whatever a spare killed in a run leaves comes to a reaper that ends it, with the run lock held until
/// it has (as a worker does for its own supervisor). While the spare waits, the keeper goes with its
/// worker: its SIGTERM stops the spare. Once the spare has taken a run the keeper no longer does — that
/// run is another worker's client's.
///
/// It hears from the spare on a socket: `T` with the run lock when the spare takes a run, `R` when the
/// run's processes are gone (it lets its copy of the lock go and answers `A`); end of file when the
/// spare exits.
struct SpareKeeper {
    let spec: ProcessSpec
    let settings: WarmSpareSettings
    /// The spare lock (taken by the worker that forked this keeper), handed on to the spare.
    var spareLock: Int32
    let cancel: CancelSignal
    let log: (String) -> Void

    /// What `ps` shows for a spare's keeper.
    static let processName = "claude-fcgi-spk"

    /// Starts the spare, then waits for its end; returns the keeper's exit code.
    mutating func run() -> Int32 {
        var pair: SocketPair
        let spare: pid_t
        do {
            pair = try SocketPair.make()
            spare = try SupervisorSetup.fork(name: SpareLoop.processName, keeping: [spareLock, pair.second], diesWithWorker: true) {
                [spec, settings, log] cancel in
                // The spare lock is fd 3, the keeper's socket fd 4 (`keeping`'s order).
                SpareLoop.serve(spec: spec, settings: settings, spareLock: 3, keeper: 4, cancel: cancel, log: log)
            }
        } catch {
            log("warm spare: \(error)")
            return 70
        }
        Descriptor.close(&pair.second)
        Descriptor.close(&spareLock)  // the spare holds it now
        var runLock: Int32 = -1
        var buffer = [UInt8](repeating: 0, count: 64)
        var signalled = false
        while true {
            var set = PollSet()
            set.watch(pair.first, for: .readable)
            if !signalled { set.watch(cancel.descriptor, for: .readable) }
            guard let ready = try? set.wait(seconds: nil) else { break }
            if ready.contains(cancel.descriptor) {
                // Its worker is gone (or it was told to stop): so is the spare, or the run it took.
                signalled = true
                kill(spare, SIGTERM)
            }
            guard ready.contains(pair.first) else { continue }
            let (count, descriptor) = SocketPair.receive(on: pair.first, into: &buffer)
            if let descriptor {
                Descriptor.close(&runLock)
                runLock = descriptor
            }
            guard count > 0 else { break }
            for byte in buffer.prefix(count) {
                switch byte {
                case UInt8(ascii: "T"):
                    // Taken: the run is no longer this worker's; it goes on if the worker dies.
                    _ = try? ProcessControl.signalOnParentDeath(0)
                case UInt8(ascii: "R"):
                    Descriptor.close(&runLock)
                    _ = Descriptor.writeAll(pair.first, [UInt8(ascii: "A")])
                default:
                    break
                }
            }
        }
        // The spare is gone or going: whatever it left of a run comes here (a child subreaper) and is ended before the lock goes.
        _ = ProcessExit.reap(spare)
        ProcessControl.killAllDescendants()
        Descriptor.close(&runLock)
        Descriptor.close(&pair.first)
        return 0
    }
}
