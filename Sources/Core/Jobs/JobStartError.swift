/// A job's run could not be started (not the client's fault).
public struct JobStartError: StateFileFailure, Equatable, Sendable {
    public var description: String
    public var isUnwritable: Bool

    public init(_ description: String, isUnwritable: Bool = false) {
        self.description = description
        self.isUnwritable = isUnwritable
    }
}
