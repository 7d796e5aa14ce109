import FoundationEssentials

/// Finds a key that appears twice in one JSON object. JSON decoders accept such documents silently
/// (one of the values wins), so a request could say two things at once; we refuse it instead.
enum DuplicateKeyScanner {
    /// The first repeated key, or `nil`. `bytes` must already be valid JSON.
    static func firstDuplicate(in bytes: [UInt8]) -> String? {
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
                expectingKey = open.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                let end = endOfString(bytes, from: index)
                if expectingKey, var keys = open.popLast() ?? nil {
                    let key = decodeKey(bytes[index...end])
                    if keys.contains(key) { return key }
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
