import FoundationEssentials

/// What Foundation's JSON decoder lets through but a request must not hold: a key that appears twice
/// in one object (the decoder keeps one value silently, so a request could say two things at once),
/// and a trailing comma before `}` or `]` (which the decoder accepts, though RFC 8259 does not).
enum StrictJSONScanner {
    enum Problem: Equatable {
        case duplicateKey(String)
        case trailingComma
    }

    /// The first problem, or `nil`. `bytes` must already have been parsed by the decoder.
    static func firstProblem(in bytes: [UInt8]) -> Problem? {
        // One entry per open container: the keys seen so far for an object, nil for an array.
        var open: [Set<String>?] = []
        var expectingKey = false
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                open.append([])
                expectingKey = true
            case UInt8(ascii: "["):
                open.append(nil)
                expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = open.popLast()
                expectingKey = false
            case UInt8(ascii: ","):
                if let next = bytes[(index + 1)...].first(where: { !isWhitespace($0) }),
                   next == UInt8(ascii: "}") || next == UInt8(ascii: "]") {
                    return .trailingComma
                }
                expectingKey = open.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                let end = endOfString(bytes, from: index)
                if expectingKey, var keys = open.popLast() ?? nil {
                    let key = decodeKey(bytes[index...end])
                    if keys.contains(key) { return .duplicateKey(key) }
                    keys.insert(key)
                    open.append(keys)
                    expectingKey = false
                }
                index = end
            default:
                break
            }
            index += 1
        }
        return nil
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The index of the closing quote of the string that opens at `start`.
    private static func endOfString(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index
            default: index += 1
            }
        }
        return bytes.count - 1
    }

    /// The key's text; escapes decoded, so that `"a"` and `"\u0061"` are the same key.
    private static func decodeKey(_ quoted: ArraySlice<UInt8>) -> String {
        if !quoted.contains(UInt8(ascii: "\\")) {
            return String(decoding: quoted.dropFirst().dropLast(), as: UTF8.self)
        }
        return (try? JSONDecoder().decode(String.self, from: Data(quoted))) ?? String(decoding: quoted, as: UTF8.self)
    }
}
