/// Bytes from a supervisor that are not a well-formed event.
public struct RunEventCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    init(_ what: String) { description = "the run supervisor sent \(what)" }
}
