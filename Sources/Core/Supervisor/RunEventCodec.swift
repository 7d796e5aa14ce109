/// The wire form of ``RunEvent`` from a supervisor to its worker, in ``Frames``. Text travels as the
/// raw bytes it is; a report is a fixed 45 bytes (flags, exit code, cost as IEEE 754 bits, the four
/// token counts).
public enum RunEventCodec {
    static let reportSize = 45

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
            // The answer can be megabytes: written into the frame once.
            let count = text.utf8.count
            var frame = Frames.header(kind: Kind.result.rawValue, payloadCount: reportSize + count, reserving: reportSize + count)
            append(report, to: &frame)
            frame.append(contentsOf: text.utf8)
            return frame
        case .failure(let failure, let detail, let report):
            kind = .failure
            payload.append(failure.rawValue)
            payload.append(report == nil ? 0 : 1)
            append(report ?? ClaudeReport(), to: &payload)
            payload += Array(detail.utf8)
        }
        return Frames.encode(kind: kind.rawValue, payload: payload)
    }

    /// Reads events from bytes as they arrive, in any chunks.
    public struct Decoder {
        private var frames = Frames.Reader()

        public init() {}

        /// Adds bytes read from the pipe or socket.
        public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
            frames.feed(bytes)
        }

        /// The next complete event; `nil` when more bytes are needed. Throws on a malformed frame.
        public mutating func next() throws(RunEventCodecError) -> RunEvent? {
            switch frames.next() {
            case nil: return nil
            case .failure(let tooLong)?: throw RunEventCodecError("a frame of \(tooLong.length) bytes")
            case .success(let frame)?: return try RunEventCodec.decode(frame.kind, frame.payload)
            }
        }

        /// True when bytes of an unfinished frame are left (the writer stopped mid-frame).
        public var hasPartialFrame: Bool { frames.hasPartialFrame }
    }

    private static func decode(_ kindByte: UInt8, _ payload: ArraySlice<UInt8>) throws(RunEventCodecError) -> RunEvent {
        switch Kind(rawValue: kindByte) {
        case .started?:
            return .started
        case .textDelta?:
            return .textDelta(Array(payload))
        case .result?:
            guard payload.count >= reportSize else { throw RunEventCodecError("a result without its report") }
            return .result(text: String(decoding: payload.dropFirst(reportSize), as: UTF8.self), report: report(payload, at: payload.startIndex))
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
        Frames.appendInteger(UInt32(bitPattern: report.exitCode ?? 0), to: &bytes)
        Frames.appendInteger((report.costUSD ?? 0).bitPattern, to: &bytes)
        for count in [report.usage.inputTokens, report.usage.cacheCreationTokens, report.usage.cacheReadTokens, report.usage.outputTokens] {
            Frames.appendInteger(UInt64(clamping: count), to: &bytes)
        }
    }

    private static func report(_ bytes: ArraySlice<UInt8>, at offset: Int) -> ClaudeReport {
        let flags = bytes[offset]
        let exitCode = Int32(bitPattern: Frames.integer(UInt32.self, bytes, at: offset + 1))
        let cost = Double(bitPattern: Frames.integer(UInt64.self, bytes, at: offset + 5))
        func count(_ index: Int) -> Int { Int(clamping: Frames.integer(UInt64.self, bytes, at: offset + 13 + 8 * index)) }
        return ClaudeReport(
            usage: TokenUsage(inputTokens: count(0), cacheCreationTokens: count(1), cacheReadTokens: count(2), outputTokens: count(3)),
            costUSD: flags & 2 != 0 ? cost : nil, exitCode: flags & 1 != 0 ? exitCode : nil)
    }
}
