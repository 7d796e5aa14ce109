/// A file of the state directory could not be read or written (not the client's fault). One that
/// cannot be written (a full disk, a read-only mount, …) is answered 503 ``APIError/stateUnwritable(detail:)``,
/// so that a client may come back once there is room; anything else is a 500 naming it.
public protocol StateFileFailure: HTTPResponseError, CustomStringConvertible {
    /// The file could not be written: created, written, synced or renamed into place.
    var isUnwritable: Bool { get }
}

extension StateFileFailure {
    public var apiError: APIError {
        isUnwritable ? .stateUnwritable(detail: description) : .internalFailure(detail: description)
    }
}
