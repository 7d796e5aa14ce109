/// The wire form of ``RunEvent`` on the pipe from a supervisor to its worker: frames of one kind byte,
/// a 4-byte little-endian payload length, and the payload. Text travels as the raw bytes it is; a
/// report is a fixed 29 bytes (flags, exit code, cost as IEEE 754 bits, two token counts).
public enum RunEventCodec {
    static let headerSize = 5
    static let reportSize = 29
    /// Frames longer than this are refused when read: nothing we send comes near it.
    static let maxPayload = 1 << 30

    private enum Kind: UInt8 { case started = 1, textDelta, result, failure }

    public static func encode(_ event: RunEvent) -> [UInt8] {
        var payload: [UInt8] = []
        let kind: Kind
        switch event {
        case .started:
            kind = .started
        case .textDelta(let bytes):
            kind = .textDelta
            payload = bytes
        case .result(let text, let report):
            kind = .result
            payload.reserveCapacity(reportSize + text.count)
            append(report, to: &payload)
            payload += text
        case .failure(let failure, let detail, let report):
            kind = .failure
            payload.append(failure.rawValue)
            payload.append(report == nil ? 0 : 1)
            append(report ?? ClaudeReport(), to: &payload)
            payload += Array(detail.utf8)
        }
        var frame: [UInt8] = [kind.rawValue]
        frame.reserveCapacity(headerSize + payload.count)
        appendInteger(UInt32(payload.count), to: &frame)
        frame += payload
        return frame
    }

    /// Reads events from bytes as they arrive, in any chunks.
    public struct Decoder {
        private var buffer: [UInt8] = []
        private var start = 0

        public init() {}

        /// Adds bytes read from the pipe.
        public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
            if start > 0 && start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            buffer.append(contentsOf: bytes)
        }

        /// The next complete event; `nil` when more bytes are needed. Throws on a malformed frame.
        public mutating func next() throws(RunEventCodecError) -> RunEvent? {
            guard buffer.count - start >= headerSize else { return nil }
            let length = Int(RunEventCodec.integer(UInt32.self, buffer, at: start + 1))
            guard length <= maxPayload else { throw RunEventCodecError("a frame of \(length) bytes") }
            guard buffer.count - start >= headerSize + length else { return nil }
            let kindByte = buffer[start]
            let payload = buffer[(start + headerSize)..<(start + headerSize + length)]
            start += headerSize + length
            return try RunEventCodec.decode(kindByte, payload)
        }

        /// True when bytes of an unfinished frame are left (the writer stopped mid-frame).
        public var hasPartialFrame: Bool { buffer.count > start }
    }

    private static func decode(_ kindByte: UInt8, _ payload: ArraySlice<UInt8>) throws(RunEventCodecError) -> RunEvent {
        switch Kind(rawValue: kindByte) {
        case .started?:
            return .started
        case .textDelta?:
            return .textDelta(Array(payload))
        case .result?:
            guard payload.count >= reportSize else { throw RunEventCodecError("a result without its report") }
            return .result(text: Array(payload.dropFirst(reportSize)), report: report(payload, at: payload.startIndex))
        case .failure?:
            guard payload.count >= 2 + reportSize, let failure = RunEvent.Failure(rawValue: payload[payload.startIndex]) else {
                throw RunEventCodecError("a malformed failure")
            }
            let hasReport = payload[payload.startIndex + 1] == 1
            let detail = String(decoding: payload.dropFirst(2 + reportSize), as: UTF8.self)
            return .failure(failure, detail: detail, report: hasReport ? report(payload, at: payload.startIndex + 2) : nil)
        case nil:
            throw RunEventCodecError("an event of unknown kind \(kindByte)")
        }
    }

    private static func append(_ report: ClaudeReport, to bytes: inout [UInt8]) {
        bytes.append((report.exitCode == nil ? 0 : 1) | (report.costUSD == nil ? 0 : 2))
        appendInteger(UInt32(bitPattern: report.exitCode ?? 0), to: &bytes)
        appendInteger((report.costUSD ?? 0).bitPattern, to: &bytes)
        appendInteger(UInt64(clamping: report.usage.promptTokens), to: &bytes)
        appendInteger(UInt64(clamping: report.usage.completionTokens), to: &bytes)
    }

    private static func report(_ bytes: ArraySlice<UInt8>, at offset: Int) -> ClaudeReport {
        let flags = bytes[offset]
        let exitCode = Int32(bitPattern: integer(UInt32.self, bytes, at: offset + 1))
        let cost = Double(bitPattern: integer(UInt64.self, bytes, at: offset + 5))
        let prompt = Int(clamping: integer(UInt64.self, bytes, at: offset + 13))
        let completion = Int(clamping: integer(UInt64.self, bytes, at: offset + 21))
        return ClaudeReport(
            usage: TokenUsage(promptTokens: prompt, completionTokens: completion),
            costUSD: flags & 2 != 0 ? cost : nil, exitCode: flags & 1 != 0 ? exitCode : nil)
    }

    private static func appendInteger<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func integer<T: FixedWidthInteger, C: Collection<UInt8>>(_ type: T.Type, _ bytes: C, at offset: C.Index) -> T
    where C.Index == Int {
        var value: T = 0
        for index in 0..<(T.bitWidth / 8) {
            value |= T(bytes[offset + index]) << (8 * index)
        }
        return value
    }
}

/// Bytes on the event pipe that are not a well-formed frame.
public struct RunEventCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    init(_ what: String) { description = "the run supervisor sent \(what)" }
}
