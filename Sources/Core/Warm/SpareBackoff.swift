/// When to start the next spare after one that could not be started or ended by itself: at once after
/// one that lived long, else after a delay that doubles with each early end (1 s, 2 s, 4 s … 60 s), so
/// that a CLI that cannot start never runs in a tight loop.
struct SpareBackoff: Equatable {
    /// Early ends in a row.
    private(set) var failures = 0

    /// A spare that lived at least this long was no failure to start.
    static let healthySeconds = 30.0
    static let firstDelaySeconds = 1.0
    static let maxDelaySeconds = 60.0

    /// A spare ended by itself (or could not be started) after `lived` seconds: the seconds to wait before the next.
    mutating func ended(afterSeconds lived: Double) -> Double {
        if lived >= Self.healthySeconds {
            failures = 0
            return 0
        }
        failures += 1
        let doubling = Double(1 << min(failures - 1, 16))
        return min(Self.maxDelaySeconds, Self.firstDelaySeconds * doubling)
    }

    /// A spare served a run or was replaced while well: the next early end starts from the first delay.
    mutating func reset() {
        failures = 0
    }
}
