import FoundationEssentials

/// The CLI's session ids (UUIDs): made for a run that keeps its session (`--session-id`), checked
/// before one is written into a record or passed to `--resume`.
public enum SessionID {
    /// A new id: a random (version 4) UUID in lower case, as the CLI writes them.
    public static func make() -> String { UUID().uuidString.lowercased() }

    /// 1 to 64 ASCII letters, digits, `-` or `_`: what the CLI writes, and nothing a flag or a path
    /// could be made of.
    public static func isValid(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.first != UInt8(ascii: "-") && id.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D
        }
    }
}
