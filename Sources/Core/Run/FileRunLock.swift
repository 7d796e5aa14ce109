import Glibc

/// `flock(2)` on a file in the state directory: exclusive, non-blocking, across processes.
///
/// Who holds it: the worker takes it (so a busy request is answered at once, without a fork), and the
/// run's supervisor, forked from the worker, shares the descriptor and keeps it until the run and every
/// process of it are gone. An flock belongs to the open file description, so the lock is free only when
/// both have closed it: a worker killed mid-run leaves it held by the supervisor until the supervisor
/// has cleaned up, and no second run can start before that. The descriptor is `O_CLOEXEC`, and claude is
/// started with only its standard streams, so no claude or tool process can hold the lock past its run.
/// Release is `close`, never `LOCK_UN`, which would unlock the supervisor's copy too.
public struct FileRunLock: RunLock {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func tryAcquire() throws(RunLockError) -> (any HeldRunLock)? {
        let fd: Int32
        switch SystemCall.result({ open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }) {
        case .success(let opened): fd = opened
        // The state directory is read-only or full (or not ours): a 503, as any state file that cannot be written.
        case .failure(let code): throw RunLockError(SystemCallError("cannot open lock file \(path)", code: code.value).description, isUnwritable: true)
        }
        switch SystemCall.result({ flock(fd, LOCK_EX | LOCK_NB) }) {
        case .success:
            return Held(fd: fd)
        case .failure(let code):
            close(fd)  // never locked: nothing to lose
            if code.value == EWOULDBLOCK { return nil }
            throw RunLockError(SystemCallError("cannot lock \(path)", code: code.value).description)
        }
    }

    final class Held: HeldRunLock {
        private var fd: Int32

        init(fd: Int32) { self.fd = fd }

        var descriptor: Int32? { fd >= 0 ? fd : nil }

        func release() {
            Descriptor.close(&fd)
        }

        deinit { release() }
    }
}
