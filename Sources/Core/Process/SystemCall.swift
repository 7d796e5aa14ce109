import Glibc

/// The one way a system call that reports failure as -1 with `errno` is made: again while it is
/// interrupted by a signal (`EINTR`), and `errno` captured at once, before any other call can change
/// it. Not for the child side of ``Spawn`` between `clone` and `exec`, which makes plain calls only.
public enum SystemCall {
    /// The call's result (never negative), retried on `EINTR`; a failure throws a ``SystemCallError``
    /// naming what was being done.
    /// - Parameters:
    ///   - operation: what was being done, for the error (`cannot poll`, `cannot open /x`).
    ///   - call: the system call; -1 (any negative value) with `errno` is a failure.
    @discardableResult
    public static func retrying<Result: BinaryInteger>(_ operation: @autoclosure () -> String,
                                                       _ call: () -> Result) throws(SystemCallError) -> Result {
        switch result(call) {
        case .success(let value): return value
        case .failure(let code): throw SystemCallError(operation(), code: code.value)
        }
    }

    /// The call's result, or the `errno` it failed with, retried on `EINTR`: for callers that treat
    /// some failures as answers (`EAGAIN`, `EWOULDBLOCK`, `ECHILD`).
    public static func result<Result: BinaryInteger>(_ call: () -> Result) -> Swift.Result<Result, Errno.Code> {
        while true {
            let result = call()
            if result >= 0 { return .success(result) }
            let code = errno
            if code == EINTR { continue }
            return .failure(Errno.Code(value: code))
        }
    }
}
