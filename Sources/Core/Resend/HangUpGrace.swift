/// How long a run whose request can be re-sent goes on after its client hung up.
///
/// The openai SDK re-sends a request *because* it gave up reading (its read timeout), so the first
/// attempt hangs up before its re-send arrives; cancelling the run at that hang-up would make the
/// re-send pay for a second run. With a grace, the hang-up starts it instead (``RunWait``); at its end
/// the run is cancelled as before unless a re-send attached (``isAttached``), and then it goes on to its
/// end, for the re-send to get its answer. The grace is longer than the SDK's back-off (at most 8 s).
public struct HangUpGrace: Sendable {
    /// Seconds from the hang-up to the decision.
    public var seconds: Double
    /// Whether a re-send is waiting for this run's answer; asked once, when the grace ends.
    public var isAttached: @Sendable () -> Bool

    public init(seconds: Double, isAttached: @escaping @Sendable () -> Bool) {
        self.seconds = seconds
        self.isAttached = isAttached
    }
}
