import Testing
@testable import Core

@Suite struct RunEventCodecTests {
    static let events: [RunEvent] = [
        .started,
        .textDelta(Array("Hel".utf8)),
        .result(text: "Hello, \u{1F30D}\n\"quoted\"", report: ClaudeReport(
            usage: TokenUsage(inputTokens: 12_345, outputTokens: 67), costUSD: 0.0051, exitCode: 0, sessionID: "0e56a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b")),
        .result(text: "", report: ClaudeReport()),
        .failure(.failed, detail: "claude exited with code 3: boom", report: ClaudeReport(exitCode: -1, sessionID: "s1")),
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
        #expect(frame.count == Frames.headerSize + RunEventCodec.fixedReportSize + 1 + text.utf8.count)
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

    @Test(arguments: ["0e56a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b", String(repeating: "a", count: 64), "s"])
    func aReportCarriesItsSessionID(session: String) throws {
        let report = ClaudeReport(usage: TokenUsage(inputTokens: 1, cacheCreationTokens: 2, cacheReadTokens: 3, outputTokens: 4), costUSD: 0.5,
                                  exitCode: 0, sessionID: session)
        let events: [RunEvent] = [.result(text: "ok", report: report), .failure(.failed, detail: "boom", report: report)]
        #expect(try decodeAll(events.flatMap(RunEventCodec.encode), chunk: 5) == events)
        let frame = RunEventCodec.encode(.result(text: "ok", report: report))
        #expect(frame.count == Frames.headerSize + RunEventCodec.fixedReportSize + 1 + session.utf8.count + 2)
    }

    @Test func aReportWithoutASessionHasNone() throws {
        let event = RunEvent.result(text: "", report: ClaudeReport(sessionID: nil))
        #expect(try decodeAll(RunEventCodec.encode(event), chunk: 64) == [event])
    }
}
