/// The launcher of a spare's one run. The run's claude is the spare — the process started ahead — when
/// the run would start exactly the process the spare was started as and the spare is still fresh
/// (asked when claude is started: after the git sync); anything else, and a stale spare's run, starts
/// cold, as any run would.
final class SpareLauncher: ProcessLauncher, @unchecked Sendable {
    private var spare: StartedProcess?
    private let spareSpec: ProcessSpec
    /// Why the spare may not be used (what changed since it started, or that it ended); `nil` when it may.
    private let staleness: (StartedProcess) -> String?
    private let cold: any ProcessLauncher
    private let log: (String) -> Void
    /// Whether the run's claude was the spare.
    private(set) var usedSpare = false

    init(spare: StartedProcess?, spareSpec: ProcessSpec, staleness: @escaping (StartedProcess) -> String?,
         cold: any ProcessLauncher = PosixProcessLauncher(), log: @escaping (String) -> Void) {
        self.spare = spare
        self.spareSpec = spareSpec
        self.staleness = staleness
        self.cold = cold
        self.log = log
    }

    func run(_ spec: ProcessSpec, limits: ProcessLimits, cancelOn: [Int32],
             onStdout: ((UnsafeRawBufferPointer) -> Void)?) throws(SpawnError) -> ProcessResult {
        var process = spec
        process.stdin = []
        if process == spareSpec, var started = spare {
            spare = nil
            if let reason = staleness(started) {
                log("warm spare not used: \(reason); the run starts claude cold")
                started.retire(within: WarmSpareSettings.retireSeconds)
            } else {
                usedSpare = true
                return started.run(stdin: spec.stdin, limits: limits, cancelOn: cancelOn, onStdout: onStdout)
            }
        }
        return try cold.run(spec, limits: limits, cancelOn: cancelOn, onStdout: onStdout)
    }

    /// Retires the spare when the run did not take it (a run that failed before claude, or another process).
    func retireUnused() {
        guard var started = spare else { return }
        spare = nil
        started.retire(within: WarmSpareSettings.retireSeconds)
    }
}
