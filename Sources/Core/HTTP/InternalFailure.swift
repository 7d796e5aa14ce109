/// A failure of ours, not the client's (a system call; the state files: ``StateFileFailure``): answered as a 500
/// naming what failed.
public protocol InternalFailure: HTTPResponseError, CustomStringConvertible {}

extension InternalFailure {
    public var apiError: APIError { .internalFailure(detail: description) }
}

extension SystemCallError: InternalFailure {}
