/// A system call that failed, for errors that are not the client's (pipes, locks, files).
public struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was being done, e.g. `cannot create a pipe`.
    public var operation: String
    /// The `errno` it failed with, captured at the call (``SystemCall``).
    public var code: Int32

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation): \(Errno.describe(code))" }
}
