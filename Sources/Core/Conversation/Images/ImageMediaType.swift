/// The image types the Anthropic API reads, told by their first bytes: a declared type is only believed
/// when the bytes agree.
enum ImageMediaType {
    /// How many leading bytes ``sniff(_:)`` needs.
    static let sniffedBytes = 12

    /// The media type of an image that begins with `head`; `nil` for anything else.
    static func sniff(_ head: [UInt8]) -> String? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && Array(head[offset..<offset + magic.count]) == magic
        }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        return nil
    }

    /// A declared type in the form the API expects (`image/jpg` is a common name for `image/jpeg`).
    static func normalized(_ declared: String) -> String {
        let lowered = declared.trimmingWhitespace().lowercased()
        return lowered == "image/jpg" ? "image/jpeg" : lowered
    }
}
