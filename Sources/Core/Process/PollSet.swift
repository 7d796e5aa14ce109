import CLinux
import Glibc

/// The descriptors one `poll(2)` waits on, and which of them are ready after it: the one wait of the
/// accept loop, a run's supervisor, the worker's side of it and a child's pump.
public struct PollSet {
    /// What a descriptor is watched for.
    public struct Events: OptionSet, Sendable {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }

        /// Data to read, or end of file.
        public static let readable = Events(rawValue: Int16(POLLIN))
        /// Room to write.
        public static let writable = Events(rawValue: Int16(POLLOUT))
        /// The peer closed its end of a stream socket (`POLLRDHUP`), even with data still unread.
        public static let peerClosed = Events(rawValue: clinux_pollrdhup)
    }

    /// The descriptors that came ready in one wait.
    public struct Ready: Sendable {
        fileprivate var entries: [pollfd]

        /// Nothing ready: the wait timed out.
        public static let none = Ready(entries: [])

        /// True when `fd` polled ready: for what it was watched for, or hang-up, error or an invalid descriptor.
        public func contains(_ fd: Int32?) -> Bool {
            guard let fd, fd >= 0 else { return false }
            return entries.contains { $0.fd == fd && $0.revents != 0 }
        }

        public var isEmpty: Bool { !entries.contains { $0.revents != 0 } }
    }

    private var entries: [pollfd] = []

    public init() {}

    /// Watches `fd` for `events`; a negative or `nil` descriptor (a closed end) is left out.
    public mutating func watch(_ fd: Int32?, for events: Events) {
        guard let fd, fd >= 0 else { return }
        entries.append(pollfd(fd: fd, events: events.rawValue, revents: 0))
    }

    /// Waits until a descriptor is ready or `seconds` have passed (`nil`: no time limit). A signal
    /// that interrupts the wait starts it again for the time left.
    public func wait(seconds: Double?) throws(SystemCallError) -> Ready {
        var fds = entries
        let deadline = seconds.map { Monotonic.now() + max(0, $0) }
        try SystemCall.retrying("cannot poll") { () -> Int32 in
            let timeout = deadline.map { Self.milliseconds($0 - Monotonic.now()) } ?? -1
            return poll(&fds, nfds_t(fds.count), timeout)
        }
        return Ready(entries: fds)
    }

    /// Seconds as `poll`'s timeout: whole milliseconds rounded up (a wait of 0.4 ms must not become a
    /// busy loop of zero waits), never negative.
    static func milliseconds(_ seconds: Double) -> Int32 {
        guard seconds > 0 else { return 0 }
        return Int32(min(Double(Int32.max), (seconds * 1000).rounded(.up)))
    }
}
