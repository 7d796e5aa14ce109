/// The framing of the worker–supervisor socket (and a job's event pipe): one kind byte, a 4-byte
/// little-endian payload length, the payload.
enum Frames {
    static let headerSize = 5
    /// Frames longer than this are refused when read: nothing we send comes near it.
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

    /// Collects bytes as they arrive, in any chunks, and hands out whole frames.
    struct Reader {
        private var buffer: [UInt8] = []
        private var start = 0

        mutating func feed(_ bytes: UnsafeRawBufferPointer) {
            if start > 0 && start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            buffer.append(contentsOf: bytes)
        }

        /// The next whole frame; `nil` when more bytes are needed; `tooLong` for a length beyond the limit.
        mutating func next() -> Result<(kind: UInt8, payload: ArraySlice<UInt8>), FrameTooLong>? {
            guard buffer.count - start >= headerSize else { return nil }
            let length = Int(Frames.integer(UInt32.self, buffer[...], at: start + 1))
            guard length <= maxPayload else { return .failure(FrameTooLong(length: length)) }
            guard buffer.count - start >= headerSize + length else { return nil }
            let kind = buffer[start]
            let payload = buffer[(start + headerSize)..<(start + headerSize + length)]
            start += headerSize + length
            return .success((kind, payload))
        }

        /// True when bytes of an unfinished frame are left (the writer stopped mid-frame).
        var hasPartialFrame: Bool { buffer.count > start }
    }

    struct FrameTooLong: Error {
        var length: Int
    }
}
