import Testing
@testable import Core

@Suite struct RunEventCodecTests {
    static let events: [RunEvent] = [
        .started,
        .textDelta(Array("Hel".utf8)),
        .result(text: "Hello, \u{1F30D}\n\"quoted\"", report: ClaudeReport(
            usage: TokenUsage(inputTokens: 12_345, outputTokens: 67), costUSD: 0.0051, exitCode: 0)),
        .result(text: "", report: ClaudeReport()),
        .failure(.failed, detail: "claude exited with code 3: boom", report: ClaudeReport(exitCode: -1)),
        .failure(.timedOut, detail: "timed out after 1 s", report: nil),
        .failure(.cancelled, detail: "cancelled", report: ClaudeReport(costUSD: 0)),
        .failure(.refused, detail: "error: unknown option '--x'", report: ClaudeReport(exitCode: 1)),
    ]

    func decodeAll(_ bytes: [UInt8], chunk: Int) throws -> [RunEvent] {
        var decoder = RunEventCodec.Decoder()
        var decoded: [RunEvent] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            bytes[offset..<end].withUnsafeBytes { decoder.feed($0) }
            while let event = try decoder.next() { decoded.append(event) }
            offset = end
        }
        #expect(!decoder.hasPartialFrame)
        return decoded
    }

    @Test(arguments: [1, 3, 29, 4096])
    func everyEventSurvivesTheTripInAnyChunks(chunk: Int) throws {
        let bytes = Self.events.flatMap(RunEventCodec.encode)
        #expect(try decodeAll(bytes, chunk: chunk) == Self.events)
    }

    @Test func textTravelsAsItsOwnBytes() {
        let text = #"{"not":"re-encoded"} 🌍"#
        let frame = RunEventCodec.encode(.result(text: text, report: ClaudeReport()))
        #expect(Array(frame.suffix(text.utf8.count)) == Array(text.utf8))
        #expect(frame.count == Frames.headerSize + RunEventCodec.reportSize + text.utf8.count)
    }

    @Test func aCutFrameWaitsAndAMalformedOneIsRefused() throws {
        var decoder = RunEventCodec.Decoder()
        let frame = RunEventCodec.encode(.textDelta(Array("abc".utf8)))
        frame.dropLast().withUnsafeBytes { decoder.feed($0) }
        #expect(try decoder.next() == nil)
        #expect(decoder.hasPartialFrame)

        var bad = RunEventCodec.Decoder()
        [UInt8]([9, 0, 0, 0, 0]).withUnsafeBytes { bad.feed($0) }
        #expect(throws: RunEventCodecError.self) { try bad.next() }
        var short = RunEventCodec.Decoder()
        [UInt8]([3, 1, 0, 0, 0, 0]).withUnsafeBytes { short.feed($0) }
        #expect(throws: RunEventCodecError.self) { try short.next() }
    }

    @Test func outcomesAndFinalEventsMapBothWays() {
        let outcomes: [ClaudeOutcome] = [
            .succeeded(text: "x", report: ClaudeReport(exitCode: 0)), .failed(detail: "d", report: nil),
            .timedOut(detail: "t", report: ClaudeReport()), .cancelled(report: nil),
            .refused(message: "Error: --json-schema is not valid JSON", report: ClaudeReport(exitCode: 1)),
        ]
        for outcome in outcomes { #expect(RunEvent(outcome).outcome == outcome) }
        #expect(RunEvent.started.outcome == nil)
    }
}
