import CLinux

/// SHA-256, by OpenSSL's libcrypto: what the keys file keeps of a key, and how a re-sent request is
/// known by its body.
public enum SHA256 {
    /// The digest of `bytes`, 32 bytes.
    public static func digest<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let done = bytes.withContiguousStorageIfAvailable { buffer in
            digest.withUnsafeMutableBufferPointer { clinux_sha256(buffer.baseAddress, buffer.count, $0.baseAddress) }
        } ?? Array(bytes).withUnsafeBufferPointer { buffer in
            digest.withUnsafeMutableBufferPointer { clinux_sha256(buffer.baseAddress, buffer.count, $0.baseAddress) }
        }
        // libcrypto fails only without memory; a digest of zeros then matches no key's.
        return done == 1 ? digest : [UInt8](repeating: 0, count: 32)
    }

    /// The digest in lower-case hexadecimal, 64 characters.
    public static func hex<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest(bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
