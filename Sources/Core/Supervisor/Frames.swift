/// The framing of the worker–supervisor socket (and a job's event pipe): one kind byte, a 4-byte
/// little-endian payload length, the payload.
enum Frames {
    static let headerSize = 5
    /// Frames longer than this are refused when read (see ``Reader``): nothing we send comes near it.
    static let maxPayload = 1 << 30

    static func encode(kind: UInt8, payload: [UInt8]) -> [UInt8] {
        var frame = header(kind: kind, payloadCount: payload.count, reserving: payload.count)
        frame += payload
        return frame
    }

    /// A frame's header alone, with room reserved for the payload that the caller appends.
    static func header(kind: UInt8, payloadCount: Int, reserving capacity: Int) -> [UInt8] {
        var frame: [UInt8] = [kind]
        frame.reserveCapacity(headerSize + capacity)
        appendInteger(UInt32(payloadCount), to: &frame)
        return frame
    }

    static func appendInteger<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ bytes: ArraySlice<UInt8>, at offset: Int) -> T {
        var value: T = 0
        for index in 0..<(T.bitWidth / 8) {
            value |= T(bytes[offset + index]) << (8 * index)
        }
        return value
    }

    /// Appends a length-prefixed byte string.
    static func appendField(_ bytes: some Collection<UInt8>, to payload: inout [UInt8]) {
        appendInteger(UInt32(bytes.count), to: &payload)
        payload += bytes
    }

    /// Reads a length-prefixed byte string at `offset`, moving it past; `nil` when the payload is short.
    static func field(_ payload: ArraySlice<UInt8>, at offset: inout Int) -> ArraySlice<UInt8>? {
        guard payload.endIndex - offset >= 4 else { return nil }
        let length = Int(integer(UInt32.self, payload, at: offset))
        guard payload.endIndex - offset - 4 >= length else { return nil }
        defer { offset += 4 + length }
        return payload[(offset + 4)..<(offset + 4 + length)]
    }

    /// Reads the fields of a payload in order; each read is `nil` once the payload is short.
    struct Fields {
        let payload: ArraySlice<UInt8>
        private var offset: Int

        init(_ payload: ArraySlice<UInt8>) {
            self.payload = payload
            offset = payload.startIndex
        }

        /// A length-prefixed byte string.
        mutating func bytes() -> ArraySlice<UInt8>? { Frames.field(payload, at: &offset) }

        /// A length-prefixed UTF-8 string.
        mutating func text() -> String? { bytes().map { String(decoding: $0, as: UTF8.self) } }

        /// A one-byte flag (0 or 1).
        mutating func flag() -> Bool? { byte().map { $0 == 1 } }

        mutating func byte() -> UInt8? {
            guard offset < payload.endIndex else { return nil }
            defer { offset += 1 }
            return payload[offset]
        }

        mutating func integer<T: FixedWidthInteger>(_ type: T.Type) -> T? {
            guard payload.endIndex - offset >= T.bitWidth / 8 else { return nil }
            defer { offset += T.bitWidth / 8 }
            return Frames.integer(type, payload, at: offset)
        }

        /// A `Double` as its IEEE 754 bits.
        mutating func double() -> Double? { integer(UInt64.self).map(Double.init(bitPattern:)) }

        /// True when every byte was read.
        var isAtEnd: Bool { offset == payload.endIndex }
    }

    /// Collects bytes as they arrive, in any chunks, and hands out whole frames. A frame longer than
    /// the limit is reported once and its bytes are dropped as they come, so that the frames after it
    /// are read in step.
    struct Reader {
        private var buffer: [UInt8] = []
        private var start = 0
        /// Bytes of a refused frame still to come, dropped on arrival.
        private var skipping = 0
        let limit: Int

        init(limit: Int = Frames.maxPayload) {
            self.limit = limit
        }

        mutating func feed(_ bytes: UnsafeRawBufferPointer) {
            if start > 0 && start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            let dropped = min(skipping, bytes.count)
            skipping -= dropped
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[dropped...]))
        }

        /// The next whole frame; `nil` when more bytes are needed; `FrameTooLong` for a length beyond the limit.
        mutating func next() -> Result<(kind: UInt8, payload: ArraySlice<UInt8>), FrameTooLong>? {
            guard buffer.count - start >= headerSize else { return nil }
            let length = Int(Frames.integer(UInt32.self, buffer[...], at: start + 1))
            guard length <= limit else {
                let here = min(length, buffer.count - start - headerSize)
                start += headerSize + here
                skipping = length - here
                return .failure(FrameTooLong(length: length, limit: limit))
            }
            guard buffer.count - start >= headerSize + length else { return nil }
            let kind = buffer[start]
            let payload = buffer[(start + headerSize)..<(start + headerSize + length)]
            start += headerSize + length
            return .success((kind, payload))
        }

        /// True when bytes of an unfinished frame are left (the writer stopped mid-frame).
        var hasPartialFrame: Bool { buffer.count > start || skipping > 0 }
    }

    struct FrameTooLong: Error, Equatable, CustomStringConvertible {
        var length: Int
        var limit: Int

        var description: String { "a frame of \(length) bytes, over the limit of \(limit)" }
    }
}
