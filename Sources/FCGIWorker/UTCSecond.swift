import Core
import Glibc

/// The current UTC second as RFC 3339 text, formatted once per second.
enum UTCSecond {
    // The worker logs from one thread; a stale read would only repeat last second's text.
    nonisolated(unsafe) private static var cached: (second: time_t, text: String) = (-1, "")

    static func text() -> String {
        let now = time(nil)
        if now == cached.second { return cached.text }
        let text = RFC3339.format(secondsSinceEpoch: now)
        cached = (now, text)
        return text
    }
}
