import Glibc

/// The one way Core makes a system call that reports failure as -1 with `errno`: again while it is
/// interrupted by a signal (`EINTR`), and `errno` captured at once, before any other call can change
/// it, into a ``SystemCallError`` naming what was being done.
enum SystemCall {
    /// The call's result (never negative), retried on `EINTR`.
    /// - Parameters:
    ///   - operation: what was being done, for the error (`cannot poll`, `cannot open /x`).
    ///   - call: the system call; -1 (any negative value) with `errno` is a failure.
    @discardableResult
    static func retrying<Result: BinaryInteger>(_ operation: @autoclosure () -> String,
                                                _ call: () -> Result) throws(SystemCallError) -> Result {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemCallError(operation(), code: code)
        }
    }

    /// The call's result, or `nil` with the `errno` it failed with, retried on `EINTR`: for callers
    /// that treat some failures as answers (`EAGAIN`, `EWOULDBLOCK`).
    static func result<Result: BinaryInteger>(_ call: () -> Result) -> Swift.Result<Result, Errno.Code> {
        while true {
            let result = call()
            if result >= 0 { return .success(result) }
            let code = errno
            if code == EINTR { continue }
            return .failure(Errno.Code(value: code))
        }
    }
}
