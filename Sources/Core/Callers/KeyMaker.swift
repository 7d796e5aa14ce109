import CLinux
import Glibc

/// Makes callers' keys: `cfk_` and the base64url (no padding) of 32 bytes from getrandom(2).
public enum KeyMaker {
    /// What every key made here starts with (so that one is recognised in a leak scan).
    public static let prefix = "cfk_"

    /// A new key, 4 + 43 characters.
    public static func make() throws(SystemCallError) -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var filled = 0
        while filled < bytes.count {
            let read = bytes.withUnsafeMutableBytes { buffer in
                SystemCall.result { clinux_getrandom(buffer.baseAddress! + filled, buffer.count - filled) }
            }
            let count = try read.mapError { SystemCallError("cannot read random bytes", code: $0.value) }.get()
            filled += count
        }
        return prefix + base64URL(bytes)
    }

    /// RFC 4648 §5 base64url, without padding.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var text: [UInt8] = []
        text.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = UInt32(0)
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0..<(chunk.count + 1) { text.append(alphabet[Int((value >> (18 - 6 * position)) & 0x3F)]) }
            index += 3
        }
        return String(decoding: text, as: UTF8.self)
    }
}
