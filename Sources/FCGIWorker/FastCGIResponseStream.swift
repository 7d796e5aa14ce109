import CFastCGI
import Core
import Glibc

/// A streamed answer written to nginx as it is produced: the head, then each piece flushed as its
/// own FastCGI record. A client that stops reading cannot hold the run: a write that nginx does not
/// take within ``sendTimeoutSeconds`` fails, and the run is stopped like a hang-up.
final class FastCGIResponseStream: ResponseStream {
    let stream: UnsafeMutablePointer<FCGX_Stream>?
    let connection: Int32
    private(set) var hasBegun = false
    private var failed = false

    /// As nginx's own `fastcgi_send_timeout` in deploy/nginx.conf.
    static let sendTimeoutSeconds = 60

    init(stream: UnsafeMutablePointer<FCGX_Stream>?, connection: Int32) {
        self.stream = stream
        self.connection = connection
    }

    func begin(_ head: HTTPResponse) -> Bool {
        hasBegun = true
        var timeout = timeval(tv_sec: Self.sendTimeoutSeconds, tv_usec: 0)
        if connection >= 0 {
            // Not checked: it fails only for a descriptor that is no socket, which is then written
            // without the limit.
            _ = setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        return send(Array(head.cgiHead(withLength: false).utf8))
    }

    func send(_ bytes: [UInt8]) -> Bool {
        guard !failed, let stream else { return false }
        let written = bytes.withUnsafeBytes { FCGX_PutStr($0.baseAddress?.assumingMemoryBound(to: CChar.self), Int32($0.count), stream) }
        if written != Int32(bytes.count) || FCGX_FFlush(stream) != 0 { failed = true }
        return !failed
    }
}
