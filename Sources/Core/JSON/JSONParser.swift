/// A strict RFC 8259 parser that keeps each object's member order (Foundation's decoder cannot: its
/// containers are dictionaries).
///
/// Strict where the RFC is: no trailing commas, no leading zeros, no `NaN`, nothing but whitespace
/// (space, tab, LF, CR) around the value, only valid UTF-8, no lone surrogate in a `\u` escape. A
/// leading byte order mark is skipped (the RFC lets a parser ignore it; Foundation does). Numbers
/// are read as Foundation's decoder reads them into ``JSONValue``: `.integer` when the value is a
/// whole number that fits an `Int64` (so `1.0`, `1e3` and `-0` are integers), `.double` otherwise;
/// a number beyond `Double`'s range is invalid. Nesting deeper than ``maxDepth`` is invalid.
enum JSONParser {
    /// A parsed document; `repeatedKey` is the first key (in text order) that an object holds twice.
    struct Document {
        var value: JSONValue
        var repeatedKey: String?
    }

    /// Arrays and objects nest at most this deep (as with Foundation's decoder).
    static let maxDepth = 512

    /// The document in `bytes`; `nil` when they are not one valid JSON value.
    static func parse(_ bytes: [UInt8]) -> Document? {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Document? {
        var reader = Reader(bytes: bytes)
        do {
            return try reader.document()
        } catch {
            return nil
        }
    }

    struct Invalid: Error {}

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0
        var depth = 0
        var repeatedKey: String?
        /// Reused for strings with escapes.
        var scratch: [UInt8] = []

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func document() throws(Invalid) -> Document {
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { at = 3 }
            skipWhitespace()
            let value = try self.value()
            skipWhitespace()
            guard at == bytes.count else { throw Invalid() }
            return Document(value: value, repeatedKey: repeatedKey)
        }

        mutating func skipWhitespace() {
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x0A, 0x0D, 0x09: at += 1
                default: return
                }
            }
        }

        /// The next byte, consumed.
        mutating func next() throws(Invalid) -> UInt8 {
            guard at < bytes.count else { throw Invalid() }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func value() throws(Invalid) -> JSONValue {
            guard at < bytes.count else { throw Invalid() }
            switch bytes[at] {
            case UInt8(ascii: "{"): return .object(try object())
            case UInt8(ascii: "["): return .array(try array())
            case UInt8(ascii: "\""):
                at += 1
                return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return try number()
            }
        }

        mutating func literal(_ word: StaticString) throws(Invalid) {
            let count = word.utf8CodeUnitCount
            guard bytes.count - at >= count else { throw Invalid() }
            for offset in 0..<count where bytes[at + offset] != word.utf8Start[offset] { throw Invalid() }
            at += count
        }

        mutating func enter() throws(Invalid) {
            depth += 1
            guard depth <= JSONParser.maxDepth else { throw Invalid() }
            at += 1
            skipWhitespace()
        }

        mutating func array() throws(Invalid) -> [JSONValue] {
            try enter()
            defer { depth -= 1 }
            var items: [JSONValue] = []
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
                at += 1
                return items
            }
            while true {
                items.append(try value())
                skipWhitespace()
                switch try next() {
                case UInt8(ascii: ","): skipWhitespace()
                case UInt8(ascii: "]"): return items
                default: throw Invalid()
                }
            }
        }

        mutating func object() throws(Invalid) -> JSONObject {
            try enter()
            defer { depth -= 1 }
            var object = JSONObject()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
                at += 1
                return object
            }
            while true {
                guard try next() == UInt8(ascii: "\"") else { throw Invalid() }
                let key = try string()
                // Noted before the value is read, so that the first repeat in text order is named.
                let repeated = object[key] != nil
                if repeated, repeatedKey == nil { repeatedKey = key }
                skipWhitespace()
                guard try next() == UInt8(ascii: ":") else { throw Invalid() }
                skipWhitespace()
                let member = try value()
                if !repeated { _ = object.insertNew(key, member) }
                skipWhitespace()
                switch try next() {
                case UInt8(ascii: ","): skipWhitespace()
                case UInt8(ascii: "}"): return object
                default: throw Invalid()
                }
            }
        }

        /// The string whose opening quote has been read.
        mutating func string() throws(Invalid) -> String {
            let start = at
            skipPlainRun()
            guard at < bytes.count else { throw Invalid() }
            if bytes[at] == UInt8(ascii: "\"") {
                defer { at += 1 }
                return try text(UnsafeBufferPointer(rebasing: bytes[start..<at]))
            }
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<at]))
            while true {
                let byte = try next()
                switch byte {
                case UInt8(ascii: "\""):
                    return try scratch.withUnsafeBufferPointer { (buffer) throws(Invalid) in try text(buffer) }
                case UInt8(ascii: "\\"):
                    try escape()
                case ..<0x20:
                    throw Invalid()
                default:
                    let run = at - 1
                    skipPlainRun()
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<at]))
                }
            }
        }

        /// Moves past bytes that need no escape: not a control character, `"` or `\`.
        mutating func skipPlainRun() {
            if let base = bytes.baseAddress {
                while at + 8 <= bytes.count {
                    let word = UInt64(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self))
                    if JSONText.needsEscape(word) { break }
                    at += 8
                }
            }
            while at < bytes.count {
                let byte = bytes[at]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return }
                at += 1
            }
        }

        func text(_ utf8: UnsafeBufferPointer<UInt8>) throws(Invalid) -> String {
            guard let text = String(validating: utf8, as: UTF8.self) else { throw Invalid() }
            return text
        }

        /// Appends the character of the escape whose backslash has been read.
        mutating func escape() throws(Invalid) {
            let byte = try next()
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(byte)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var code = UInt32(try hex4())
                if (0xD800..<0xDC00).contains(code) {
                    // A high surrogate must be followed by an escaped low one.
                    guard try next() == UInt8(ascii: "\\"), try next() == UInt8(ascii: "u") else { throw Invalid() }
                    let low = UInt32(try hex4())
                    guard (0xDC00..<0xE000).contains(low) else { throw Invalid() }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw Invalid() }
                UTF8.encode(scalar) { scratch.append($0) }
            default:
                throw Invalid()
            }
        }

        mutating func hex4() throws(Invalid) -> UInt16 {
            var code: UInt16 = 0
            for _ in 0..<4 {
                let byte = try next()
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Invalid()
                }
                code = code << 4 | UInt16(digit)
            }
            return code
        }

        mutating func number() throws(Invalid) -> JSONValue {
            let start = at
            let negative = at < bytes.count && bytes[at] == UInt8(ascii: "-")
            if negative { at += 1 }
            // Accumulated negatively, so that Int64.min fits; nil once it overflows.
            var whole: Int64? = 0
            let digitsStart = at
            while at < bytes.count, let digit = decimalDigit(bytes[at]) {
                if let sum = whole {
                    let (times, overflow) = sum.multipliedReportingOverflow(by: 10)
                    let (next, overflowAgain) = times.subtractingReportingOverflow(Int64(digit))
                    whole = overflow || overflowAgain ? nil : next
                }
                at += 1
            }
            let digits = at - digitsStart
            guard digits > 0, digits == 1 || bytes[digitsStart] != UInt8(ascii: "0") else { throw Invalid() }
            var isWhole = true
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                try requireDigits()
                isWhole = false
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                try requireDigits()
                isWhole = false
            }
            if isWhole, let whole {
                if negative { return .integer(whole) }
                if whole != .min { return .integer(-whole) }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            guard let number = Double(text), number.isFinite else { throw Invalid() }
            // A fraction or exponent that makes a whole number is one; digits beyond Int64 are not.
            if !isWhole, number == number.rounded(.towardZero), number >= -0x1p63, number < 0x1p63 {
                return .integer(Int64(number))
            }
            return .double(number)
        }

        mutating func requireDigits() throws(Invalid) {
            let first = at
            while at < bytes.count, decimalDigit(bytes[at]) != nil { at += 1 }
            guard at > first else { throw Invalid() }
        }

        func decimalDigit(_ byte: UInt8) -> UInt8? {
            let digit = byte &- UInt8(ascii: "0")
            return digit < 10 ? digit : nil
        }
    }
}
