/// Counters shared by every process of one state directory: each worker adds its requests, each run's
/// supervisor its run; any worker reads them all for a scrape.
public protocol CounterStore: Sendable {
    /// Adds each delta to its series (a series not yet counted starts at 0); false when the counters
    /// could not be written (the caller goes on: counting never fails a request).
    @discardableResult
    func add(_ deltas: [String: Double]) -> Bool
    /// Every series and its value.
    func read() -> [String: Double]
}
