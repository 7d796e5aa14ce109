import Glibc

/// The text of an `errno` value, as `strerror` gives it.
public enum Errno {
    public static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
