/// A request's header fields as the bytes they came in: lower-cased names and their values in one
/// buffer, a value made a string only when asked for. Every request builds one, rejected and busy ones
/// included, so it costs one allocation, not two strings and a dictionary slot per field.
public struct HTTPHeaders: Sendable {
    /// Each field: the name's length and the value's (4 bytes each, little-endian), the lower-cased name,
    /// the value.
    private var storage: [UInt8] = []

    /// No fields.
    public init() {}

    /// The fields of a dictionary, names lower-cased.
    public init(_ fields: [String: String]) {
        for (name, value) in fields { append(name: Array(name.lowercased().utf8), value: Array(value.utf8)) }
    }

    /// Room for `bytes` more bytes of names and values.
    mutating func reserve(_ bytes: Int) {
        storage.reserveCapacity(storage.count + bytes + 64)
    }

    /// Appends a field whose name is lower-case already. A later field of the same name wins.
    mutating func append(name: some Collection<UInt8>, value: some Collection<UInt8>) {
        appendLengths(name.count, value.count)
        storage.append(contentsOf: name)
        storage.append(contentsOf: value)
    }

    /// Appends a field named as a CGI param names it after `HTTP_`: `X_STAINLESS_RETRY_COUNT` →
    /// `x-stainless-retry-count`, byte by byte.
    mutating func append(cgiName: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        appendLengths(cgiName.count, value.count)
        for byte in cgiName {
            switch byte {
            case UInt8(ascii: "_"): storage.append(UInt8(ascii: "-"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): storage.append(byte + 32)
            default: storage.append(byte)
            }
        }
        storage.append(contentsOf: value)
    }

    private mutating func appendLengths(_ name: Int, _ value: Int) {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: name).littleEndian) { storage.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { storage.append(contentsOf: $0) }
    }

    /// The value of a field, by case-insensitive name; the last one of that name.
    public subscript(name: String) -> String? {
        var found: Range<Int>?
        forEachField { fieldName, value in
            if equalsIgnoringASCIICase(fieldName, name) { found = value }
        }
        return found.map { String(decoding: storage[$0], as: UTF8.self) }
    }

    /// Every field, by lower-cased name.
    public var dictionary: [String: String] {
        var fields: [String: String] = [:]
        forEachField { name, value in
            fields[String(decoding: storage[name], as: UTF8.self)] = String(decoding: storage[value], as: UTF8.self)
        }
        return fields
    }

    private func forEachField(_ body: (_ name: Range<Int>, _ value: Range<Int>) -> Void) {
        var offset = 0
        while storage.count - offset >= 8 {
            let (nameCount, valueCount) = storage.withUnsafeBytes { bytes in
                (Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))),
                 Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))))
            }
            let nameStart = offset + 8
            let valueStart = nameStart + nameCount
            body(nameStart..<valueStart, valueStart..<(valueStart + valueCount))
            offset = valueStart + valueCount
        }
    }

    /// Whether the stored lower-case name is `name`, whatever the case of `name`'s ASCII letters.
    private func equalsIgnoringASCIICase(_ stored: Range<Int>, _ name: String) -> Bool {
        guard stored.count == name.utf8.count else { return false }
        var index = stored.lowerBound
        for byte in name.utf8 {
            guard index < stored.upperBound else { return false }
            let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
            guard storage[index] == lowered else { return false }
            index += 1
        }
        return index == stored.upperBound
    }
}

extension HTTPHeaders: Equatable {
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool { lhs.dictionary == rhs.dictionary }
}
