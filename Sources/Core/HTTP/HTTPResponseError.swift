/// An error that says what its client is answered: the API error it stands for. ``Service`` turns
/// every error thrown on a request path into a response through this, in one place; an error that
/// does not conform is answered as an internal failure naming it.
public protocol HTTPResponseError: Error {
    /// The answer: its status, JSON body and headers (``APIError/response``).
    var apiError: APIError { get }
}

extension APIError: HTTPResponseError {
    public var apiError: APIError { self }
}

extension APIError {
    /// The answer to any error thrown on a request path.
    public init(answering error: any Error) {
        self = (error as? any HTTPResponseError)?.apiError ?? .internalFailure(detail: OneLine.clean(String(describing: error)))
    }
}
