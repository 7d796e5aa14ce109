/// The lock could not be tried at all (not: it is held), e.g. its file cannot be opened.
public struct RunLockError: StateFileFailure, Equatable, Sendable {
    public var description: String
    public var isUnwritable: Bool

    public init(_ description: String, isUnwritable: Bool = false) {
        self.description = description
        self.isUnwritable = isUnwritable
    }
}
