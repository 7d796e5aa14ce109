/// The lock could not be tried at all (not: it is held), e.g. its file cannot be opened.
public struct RunLockError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
