/// Random identifiers, behind a protocol so tests can fix them.
public protocol IDGenerator: Sendable {
    /// A fresh identifier of letters and digits.
    func next() -> String
}

/// 24 random letters and digits from the system's random source.
public struct RandomIDGenerator: IDGenerator {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    public init() {}

    public func next() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in RandomIDGenerator.alphabet.randomElement(using: &generator) ?? "x" })
    }
}
