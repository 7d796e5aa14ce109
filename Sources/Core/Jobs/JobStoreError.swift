/// A job record could not be written (not the client's fault).
public struct JobStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
