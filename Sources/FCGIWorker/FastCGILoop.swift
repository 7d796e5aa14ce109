import CFastCGI
import Core
import Glibc
import Logging

/// The accept loop: moves each request's params and body to a handler and the handler's response
/// back. Uses the reentrant fcgiapp API, which keeps request headers out of the process environment.
/// It waits for a connection or a stop request, whichever comes first; a request in hand is always
/// finished, and after a stop request nothing more is accepted.
struct FastCGILoop {
    /// The most of a body read for a path (one byte more tells Core it is too large).
    let bodyLimit: (_ path: String) -> Int
    let stop: StopRequest
    let logger: Logger
    /// Collects the children that have exited after each request (``JobReaper``).
    let reapChildren: () -> Void
    /// Done after a request that ran claude, once its answer is sent and the run lock let go (the warm
    /// spare started again: a fork made while the lock was held would hold it too, until the child closes it).
    let afterRun: () -> Void
    /// Done every ``idleSeconds``, between requests (the warm spare started if none is kept).
    let idle: () -> Void

    static let idleSeconds = 2.0

    /// True when fd 0 is a listening socket (as spawn-fcgi leaves it).
    var isStartedByFastCGISpawner: Bool {
        FCGX_Init() == 0 && FCGX_IsCGI() == 0
    }

    func serve(_ handle: (HTTPRequest, ResponseStream) -> HandledRequest) {
        // A client or child that goes away must not kill the worker on write. (Not checked: `signal`
        // fails only for a number that is no signal.)
        signal(SIGPIPE, SIG_IGN)
        var request = FCGX_Request()
        guard FCGX_InitRequest(&request, 0, 0) == 0 else {
            logger.critical("FCGX_InitRequest failed")
            return
        }
        // Non-blocking, so that a worker woken with its siblings for one connection that another took
        // goes back to waiting for the next or for a stop (the flag is shared with the siblings, which
        // all run this loop; accepted connections do not inherit it).
        do {
            let flags = try SystemCall.retrying("cannot read the listening socket's flags") { fcntl(0, F_GETFL) }
            try SystemCall.retrying("cannot make the listening socket non-blocking") { fcntl(0, F_SETFL, flags | O_NONBLOCK) }
        } catch {
            logger.critical("\(error)")
            return
        }
        // The accept comes first and the wait only when no connection is waiting: under load, a request
        // costs no poll(2) of ours. A stop is a flag the signal handler set.
        var waiting = PollSet()
        waiting.watch(0, for: .readable)
        waiting.watch(stop.descriptor, for: .readable)
        var nextIdle = Monotonic.now() + Self.idleSeconds
        while true {
            if stop.isRequested {
                logger.info("stop requested; no more requests taken, worker exiting")
                return
            }
            if Monotonic.now() >= nextIdle {
                idle()
                nextIdle = Monotonic.now() + Self.idleSeconds
            }
            let accepted = FCGX_Accept_r(&request)
            if accepted == -EAGAIN || accepted == -EWOULDBLOCK || accepted == -EINTR {
                do {
                    _ = try waiting.wait(seconds: max(0, nextIdle - Monotonic.now()))
                } catch {
                    logger.critical("poll on the listening socket failed: \(Errno.describe(error.code))")
                    return
                }
                continue
            }
            guard accepted >= 0 else {
                logger.critical("FCGX_Accept_r failed: \(accepted)")
                return
            }
            let started = ContinuousClock.now
            let entries = Self.entries(request.envp)
            var httpRequest = HTTPRequest(cgiEntries: entries, body: [], connectionDescriptor: request.ipcFd)
            httpRequest.body = Self.body(request.in, declaredLength: httpRequest.header("content-length").flatMap { Int($0) }, limit: bodyLimit(httpRequest.path))
            let live = FastCGIResponseStream(stream: request.out, connection: request.ipcFd)
            let handled = handle(httpRequest, live)
            if !handled.sent {
                Self.write(handled.response, to: request.out, includeBody: httpRequest.method != "HEAD")
            }
            FCGX_Finish_r(&request)
            reapChildren()
            if case .ran = handled.run.outcome, !stop.isRequested { afterRun() }
            let elapsed = ContinuousClock.now - started
            if let problem = handled.run.problem {
                logger.warning("\(problem)", metadata: ["request_id": .string(handled.run.requestID ?? "-")])
            }
            logger.info("request", metadata: [
                "method": .string(httpRequest.method),
                // nginx passes the path percent-decoded: a client's %0A must not start a log line.
                "path": .string(OneLine.clean(httpRequest.path, limit: 200)),
                "status": .string(String(handled.response.status)),
                "duration_ms": .string(String(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)),
                "run": .string(handled.run.outcome?.word ?? "-"),
                "request_id": .string(handled.run.requestID ?? "-"),
                "caller": .string(handled.run.caller ?? "-"),
            ])
        }
    }

    /// The request's FastCGI params, each a `KEY=VALUE` byte buffer that libfcgi keeps until the
    /// request is finished.
    static func entries(_ envp: FCGX_ParamArray?) -> [UnsafeBufferPointer<UInt8>] {
        var result: [UnsafeBufferPointer<UInt8>] = []
        guard var pointer = envp else { return result }
        result.reserveCapacity(32)
        while let entry = pointer.pointee {
            let length = strlen(entry)
            result.append(UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: length))
            pointer += 1
        }
        return result
    }

    /// Reads the body: the declared length (or to the end), never more than `limit + 1` bytes, so that
    /// Core can tell an oversized body without the worker holding all of it.
    static func body(_ stream: UnsafeMutablePointer<FCGX_Stream>?, declaredLength: Int?, limit: Int) -> [UInt8] {
        guard let stream else { return [] }
        let wanted = min(declaredLength ?? Int.max, limit + 1)
        guard wanted > 0 else { return [] }
        // A declared length is allocated at once (up to 1 MiB); an unknown one (GET, HEAD) starts small.
        var bytes = [UInt8](repeating: 0, count: min(wanted, declaredLength == nil ? 4096 : 1 << 20))
        var total = 0
        while total < wanted {
            if total == bytes.count { bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, wanted - bytes.count))) }
            let chunk = Int32(min(bytes.count - total, 1 << 20))
            let count = bytes.withUnsafeMutableBytes { buffer in
                FCGX_GetStr(buffer.baseAddress!.advanced(by: total).assumingMemoryBound(to: CChar.self), chunk, stream)
            }
            if count <= 0 { break }
            total += Int(count)
        }
        // Read to the end of the stream (its closing record), so that whatever arrives on the
        // connection afterwards can only be nginx hanging up.
        if total < wanted || declaredLength == total {
            while FCGX_GetChar(stream) != -1 {}
        }
        if total < bytes.count { bytes.removeSubrange(total...) }
        return bytes
    }

    static func write(_ response: HTTPResponse, to stream: UnsafeMutablePointer<FCGX_Stream>?, includeBody: Bool) {
        guard let stream else { return }
        response.writeCGIHead { _ = FCGX_PutStr($0.baseAddress?.assumingMemoryBound(to: CChar.self), Int32($0.count), stream) }
        if includeBody && !response.body.isEmpty {
            response.body.withUnsafeBytes { _ = FCGX_PutStr($0.baseAddress?.assumingMemoryBound(to: CChar.self), Int32($0.count), stream) }
        }
    }
}
