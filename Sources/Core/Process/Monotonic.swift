import Glibc

/// A monotonic clock in seconds, and sleeping on it.
public enum Monotonic {
    public static func now() -> Double {
        var spec = timespec()
        // Not checked: CLOCK_MONOTONIC is always there.
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Sleeps the calling thread; a signal may end the sleep early.
    public static func sleep(_ seconds: Double) {
        usleep(useconds_t(max(0, seconds) * 1_000_000))
    }
}
