import Glibc

/// A spare's keeper: the worker's child that forks the spare (``SpareLoop``) and outlives it, so that
/// whatever a spare killed in a run leaves comes to a reaper that ends it, with the run lock held until
/// it has (as a worker does for its own supervisor). While the spare waits, the keeper goes with its
/// worker: it gets SIGTERM when the worker dies, and tells the spare (`Q`), which stops waiting. A spare
/// that has taken a run by then takes no notice: that run is another worker's client's.
///
/// What they say on their socket: the spare `T` with the run lock when it takes a run (the keeper keeps a
/// copy) and `R` when the run's processes are gone (the keeper lets its copy go and answers `A`); the
/// keeper `Q`. End of file: the other is gone.
struct SpareKeeper {
    let spec: ProcessSpec
    let settings: WarmSpareSettings
    /// The spare lock (taken by the worker that forked this keeper), handed on to the spare.
    var spareLock: Int32
    let cancel: CancelSignal
    let log: (String) -> Void

    /// What `ps` shows for a spare's keeper.
    static let processName = "claude-fcgi-spk"

    /// The spare took a run: the run lock comes with it.
    static let taken = UInt8(ascii: "T")
    /// The run's processes are gone: let the run lock go.
    static let release = UInt8(ascii: "R")
    /// The keeper let it go.
    static let released = UInt8(ascii: "A")
    /// The keeper's worker is gone: take no run.
    static let quit = UInt8(ascii: "Q")

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
            log("warm spare: \(error); no spare for \(NumberText.short(SpareBackoff.maxDelaySeconds)) s")
            Self.holdOff(cancel: cancel.descriptor, keeper: -1)
            return 70
        }
        Descriptor.close(&pair.second)
        Descriptor.close(&spareLock)  // the spare holds it now
        var runLock: Int32 = -1
        var buffer = [UInt8](repeating: 0, count: 64)
        var told = false
        while true {
            var set = PollSet()
            set.watch(pair.first, for: .readable)
            if !told { set.watch(cancel.descriptor, for: .readable) }
            guard let ready = try? set.wait(seconds: nil) else {
                kill(spare, SIGTERM)  // it can no longer be heard: stopped, so that it can be reaped
                break
            }
            // What the spare said first: a run it took in the same moment is not stopped by the `Q`.
            if ready.contains(pair.first) {
                let (count, descriptor) = SocketPair.receive(on: pair.first, into: &buffer)
                if let descriptor {
                    Descriptor.close(&runLock)
                    runLock = descriptor
                }
                guard count > 0 else { break }
                for byte in buffer.prefix(count) where byte == Self.release {
                    Descriptor.close(&runLock)
                    _ = Descriptor.writeAll(pair.first, [Self.released])
                }
            }
            if !told && ready.contains(cancel.descriptor) {
                told = true
                _ = Descriptor.writeAll(pair.first, [Self.quit])
            }
        }
        // The spare is gone or going: whatever it left of a run comes here (a child subreaper) and is ended before the lock goes.
        _ = ProcessExit.reap(spare)
        ProcessControl.killAllDescendants()
        Descriptor.close(&runLock)
        Descriptor.close(&pair.first)
        return 0
    }

    /// Holds the spare lock (by not exiting) for ``SpareBackoff/maxDelaySeconds`` or until told to stop:
    /// after a spare could not be set up, the workers do not start another that fails the same way at once.
    static func holdOff(cancel: Int32, keeper: Int32) {
        var set = PollSet()
        set.watch(cancel, for: .readable)
        set.watch(keeper, for: [.readable, .peerClosed])
        _ = try? set.wait(seconds: SpareBackoff.maxDelaySeconds)
    }
}
