import Glibc

/// `<state-dir>/metrics.counters`: one `series value` line per counter, e.g.
/// `claude_fcgi_requests_total{route="/healthz",status="200"} 12`. Changed under an exclusive
/// `flock(2)` of the file itself (read, add, rewrite in place), read under a shared one: a few
/// microseconds, and never the run lock, so counting and scraping never wait for a run.
public struct CounterFile: CounterStore {
    public let path: String

    public init(stateDirectory: String) {
        path = stateDirectory + "/metrics.counters"
    }

    @discardableResult
    public func add(_ deltas: [String: Double]) -> Bool {
        guard !deltas.isEmpty else { return true }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard Self.lock(fd, LOCK_EX), let text = Self.contents(fd) else { return false }
        var counters = Self.parse(text)
        for (series, delta) in deltas { counters[series, default: 0] += delta }
        let bytes = Array(Self.format(counters).utf8)
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return written == bytes.count && ftruncate(fd, off_t(bytes.count)) == 0
    }

    public func read() -> [String: Double] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [:] }
        defer { close(fd) }
        guard Self.lock(fd, LOCK_SH), let text = Self.contents(fd) else { return [:] }
        return Self.parse(text)
    }

    static func lock(_ fd: Int32, _ operation: Int32) -> Bool {
        while flock(fd, operation) != 0 {
            guard errno == EINTR else { return false }
        }
        return true
    }

    /// The whole file from offset 0.
    static func contents(_ fd: Int32) -> String? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(bytes.count)) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[..<count]
        }
    }

    /// Lines of `series value`; a line that is not one (a file cut short by a full disk) is skipped.
    static func parse(_ text: String) -> [String: Double] {
        var counters: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]), value.isFinite else { continue }
            counters[String(line[..<space])] = value
        }
        return counters
    }

    static func format(_ counters: [String: Double]) -> String {
        counters.keys.sorted().map { "\($0) \(PrometheusText.number(counters[$0] ?? 0))\n" }.joined()
    }
}
