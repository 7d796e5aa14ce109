/// A job record could not be written, or read (not the client's fault).
public struct JobStoreError: StateFileFailure, Equatable, Sendable {
    public var description: String
    public var isUnwritable: Bool

    public init(_ description: String, isUnwritable: Bool = false) {
        self.description = description
        self.isUnwritable = isUnwritable
    }
}
