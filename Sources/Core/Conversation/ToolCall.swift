/// A function the model asks the caller to run, or one it asked for in an earlier turn.
public struct ToolCall: Equatable, Sendable {
    /// `call_…`: the id the caller's result names.
    public var id: String
    public var name: String
    /// The arguments as a JSON object's text, in the model's key order.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
