import Glibc

/// The text of an `errno` value, as `strerror` gives it.
public enum Errno {
    /// An `errno` value as an error, captured where the call failed.
    public struct Code: Error, Equatable, Sendable {
        public var value: Int32
        public init(value: Int32) { self.value = value }
    }

    public static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
