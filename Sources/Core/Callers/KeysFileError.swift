/// A keys file that cannot be used: unreadable, not JSON of the expected shape, or an entry that breaks
/// a rule. The message is one line naming the file (where known), the entry and the field.
public struct KeysFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
