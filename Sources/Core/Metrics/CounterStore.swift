/// Counters shared by every process of one state directory: each worker adds its requests, each run's
/// supervisor its run; any worker reads them all for a scrape.
public protocol CounterStore: Sendable {
    /// Adds `delta` to the series (a series not yet counted starts at 0); false when the counter could
    /// not be written (the caller goes on: counting never fails a request).
    @discardableResult
    func add(_ series: String, by delta: Double) -> Bool
    /// Every series and its value.
    func read() -> [String: Double]
}

extension CounterStore {
    /// Adds each delta to its series; false when any could not be written.
    @discardableResult
    public func add(_ deltas: [String: Double]) -> Bool {
        var all = true
        for (series, delta) in deltas where !add(series, by: delta) { all = false }
        return all
    }
}
