import Glibc

/// The one-run-at-a-time lock shared by every worker process.
public protocol RunLock: Sendable {
    /// Takes the lock without waiting. Returns a held lock, or `nil` when another run holds it.
    func tryAcquire() throws(APIError) -> (any HeldRunLock)?
}

/// A lock that is held until ``release()`` is called (or every process holding it has exited).
public protocol HeldRunLock: AnyObject {
    /// The descriptor that carries the lock, to hand to the run's supervisor; `nil` for locks that
    /// are not descriptors.
    var descriptor: Int32? { get }
    func release()
}

/// `flock(2)` on a file in the state directory: exclusive, non-blocking, across processes.
///
/// Who holds it: the worker takes it (so a busy request is answered at once, without spawning), then
/// hands a duplicate of the descriptor to the run's supervisor, which keeps it until the run and every
/// process of it are gone. An flock belongs to the open file description, so the lock is free only when
/// both have closed it: a worker killed mid-run leaves it held by the supervisor until the supervisor
/// has cleaned up, and no second run can start before that. The descriptor is `O_CLOEXEC` and the
/// supervisor closes it for claude, so no claude or tool process can hold the lock past its run.
/// Release is `close`, never `LOCK_UN`, which would unlock the supervisor's copy too.
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

        var descriptor: Int32? { fd >= 0 ? fd : nil }

        func release() {
            guard fd >= 0 else { return }
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
