import Glibc

/// The one-run-at-a-time lock shared by every worker process.
public protocol RunLock: Sendable {
    /// Takes the lock without waiting. Returns a held lock, or `nil` when another run holds it.
    func tryAcquire() throws(APIError) -> (any HeldRunLock)?
}

/// A lock that is held until ``release()`` is called (or its holder exits).
public protocol HeldRunLock: AnyObject {
    func release()
}

/// `flock(2)` on a file in the state directory: exclusive, non-blocking, across processes.
///
/// The descriptor is opened `O_CLOEXEC`, so the claude child does not inherit it: the lock then lives
/// exactly as long as the worker's hold, and a Bash-tool process that outlives the run cannot keep
/// every later request at 503.
public struct FileRunLock: RunLock {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func tryAcquire() throws(APIError) -> (any HeldRunLock)? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .internalFailure(detail: "cannot open lock file \(path): \(SystemError.describe(errno))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            return Held(fd: fd)
        }
        let failure = errno
        close(fd)
        if failure == EWOULDBLOCK { return nil }
        throw .internalFailure(detail: "cannot lock \(path): \(SystemError.describe(failure))")
    }

    final class Held: HeldRunLock {
        private var fd: Int32

        init(fd: Int32) { self.fd = fd }

        func release() {
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }

        deinit { release() }
    }
}

/// Text for `errno` values.
enum SystemError {
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
