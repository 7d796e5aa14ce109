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
        let end = bytes.count - padding
        // The head: the first bytes decoded, for the media type.
        var head: [UInt8] = []
        var bits: UInt32 = 0
        var bitCount = 0
        var index = 0
        while index < end, head.count < headBytes {
            let value = sextets[Int(bytes[index])]
            guard value < 64 else { return nil }
            bits = bits << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                head.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
                bits &= (1 << UInt32(bitCount)) - 1
            }
            index += 1
        }
        // The rest is only checked (a table look-up per byte: megabytes of an image's text).
        var invalid: UInt8 = 0
        while index < end {
            invalid |= sextets[Int(bytes[index])]
            index += 1
        }
        guard invalid < 64 else { return nil }
        return (bytes.count / 4 * 3 - padding, head)
    }

    /// Each byte's value in the standard alphabet; 0xFF for a byte that is not in it.
    private static let sextets: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, letter) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(letter)] = UInt8(value)
        }
        return table
    }()
}
