/// A job's run could not be started (not the client's fault).
public struct JobStartError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
