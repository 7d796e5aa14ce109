/// What an image's base64 text holds without decoding all of it: whether it is base64 at all (the
/// standard alphabet, `=` padding only at the end, a length that is a multiple of four), how many bytes
/// it decodes to, and its first bytes.
struct Base64Scan: Equatable {
    let decodedCount: Int
    let head: [UInt8]

    /// `nil` when `text` is not base64.
    init?(_ text: String, headBytes: Int = ImageMediaType.sniffedBytes) {
        var text = text
        guard let scanned = text.withUTF8({ Self.scan($0, headBytes: headBytes) }) else { return nil }
        (decodedCount, head) = scanned
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, headBytes: Int) -> (Int, [UInt8])? {
        guard !bytes.isEmpty, bytes.count % 4 == 0 else { return nil }
        var padding = 0
        if bytes[bytes.count - 1] == UInt8(ascii: "=") { padding = bytes[bytes.count - 2] == UInt8(ascii: "=") ? 2 : 1 }
        var head: [UInt8] = []
        var bits: UInt32 = 0
        var bitCount = 0
        for index in 0..<(bytes.count - padding) {
            guard let value = sextet(bytes[index]) else { return nil }
            if head.count < headBytes {
                bits = bits << 6 | UInt32(value)
                bitCount += 6
                if bitCount >= 8 {
                    bitCount -= 8
                    head.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
                    bits &= (1 << UInt32(bitCount)) - 1
                }
            }
        }
        return (bytes.count / 4 * 3 - padding, head)
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
