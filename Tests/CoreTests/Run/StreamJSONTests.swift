import Testing
@testable import Core

/// Lines of the CLI's stream-json output, in the shapes claude-cli.md records.
enum StreamJSON {
    static func start(_ id: String) -> String {
        #"{"type":"stream_event","event":{"type":"message_start","message":{"id":"\#(id)","usage":{}}},"parent_tool_use_id":null}"#
    }
    static func delta(_ text: String, parent: String? = nil) -> String {
        #"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\#(text)"}},"parent_tool_use_id":\#(parent.map { "\"\($0)\"" } ?? "null")}"#
    }
    static func thinking(_ text: String) -> String {
        #"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"\#(text)"}},"parent_tool_use_id":null}"#
    }
    static func toolInput(_ json: String) -> String {
        #"{"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\#(json)"}},"parent_tool_use_id":null}"#
    }
    static func assistant(_ id: String, _ text: String, synthetic: Bool = false) -> String {
        #"{"type":"assistant","message":{"id":"\#(id)","model":"\#(synthetic ? "<synthetic>" : "claude-opus-5-5")","content":[{"type":"text","text":"\#(text)"}]},"parent_tool_use_id":null\#(synthetic ? #","is_api_error_message":true"# : "")}"#
    }
    static let retry = #"{"type":"system","subtype":"api_retry","attempt":1,"max_retries":9,"error_status":null,"error":"unknown"}"#
    static let result = #"{"type":"result","subtype":"success","is_error":false,"result":"Hello world","usage":{"input_tokens":3,"output_tokens":2},"total_cost_usd":0.5}"#
}

@Suite struct StreamJSONTests {
    /// What the client gets from these lines, piece by piece.
    func sent(_ lines: [String]) -> (pieces: [String], diverged: Bool) {
        var text = StreamedText()
        let pieces = lines.map { String(decoding: text.take(ClaudeStreamLine(Array($0.utf8))), as: UTF8.self) }.filter { !$0.isEmpty }
        return (pieces, text.diverged)
    }

    @Test func linesMeanWhatTheCLISays() {
        #expect(ClaudeStreamLine(Array(StreamJSON.start("m1").utf8)) == .messageStarted(id: "m1"))
        #expect(ClaudeStreamLine(Array(StreamJSON.delta("Hi").utf8)) == .textDelta("Hi"))
        #expect(ClaudeStreamLine(Array(StreamJSON.assistant("m1", "Hi").utf8)) == .assistantText(messageID: "m1", text: "Hi"))
        #expect(ClaudeStreamLine(Array(StreamJSON.result.utf8)) == .result)
        for other in [StreamJSON.delta("x", parent: "toolu_1"), StreamJSON.thinking("hmm"), StreamJSON.toolInput("{}"),
                      StreamJSON.assistant("s", "API Error: 529", synthetic: true), StreamJSON.retry, "not json", "[1]", "{}"] {
            #expect(ClaudeStreamLine(Array(other.utf8)) == .other, "\(other)")
        }
    }

    @Test func deltasGoOnAsTheyCome() {
        let lines = [StreamJSON.start("m1"), StreamJSON.delta("Hel"), StreamJSON.thinking("no"), StreamJSON.delta("lo"),
                     StreamJSON.assistant("m1", "Hello"), StreamJSON.result]
        #expect(sent(lines).pieces == ["Hel", "lo"])
    }

    @Test func aStreamedRetrySendsOnlyWhatGoesPastTheSentText() {
        let lines = [StreamJSON.start("m1"), StreamJSON.delta("Partial an"), StreamJSON.retry,
                     StreamJSON.start("m2"), StreamJSON.delta("Part"), StreamJSON.delta("ial answer"), StreamJSON.delta(" done"),
                     StreamJSON.assistant("m2", "Partial answer done")]
        #expect(sent(lines) == (["Partial an", "swer", " done"], false))
    }

    @Test func aWholeMessageFromTheFallbackSendsItsRest() {
        let lines = [StreamJSON.start("m1"), StreamJSON.delta("Partial ans"), StreamJSON.assistant("m9", "Partial answer."), StreamJSON.result]
        #expect(sent(lines) == (["Partial ans", "wer."], false))
    }

    @Test func aRetryThatSaysSomethingElseStopsTheText() {
        let streamed = sent([StreamJSON.start("m1"), StreamJSON.delta("Goodbye"), StreamJSON.start("m2"), StreamJSON.delta("Hello"),
                             StreamJSON.delta(" there")])
        #expect(streamed == (["Goodbye"], true))
        let fetched = sent([StreamJSON.start("m1"), StreamJSON.delta("Goodbye"), StreamJSON.assistant("m2", "Hello")])
        #expect(fetched == (["Goodbye"], true))
    }

    @Test func everyTurnOnceWithABlankLineBetween() {
        let lines = [StreamJSON.start("m1"), StreamJSON.delta("Let me check."), StreamJSON.assistant("m1", "Let me check."),
                     StreamJSON.toolInput("{}"), StreamJSON.start("m2"), StreamJSON.delta("It printed hi."),
                     StreamJSON.assistant("m2", "It printed hi."), StreamJSON.assistant("s1", "API Error: x", synthetic: true)]
        #expect(sent(lines).pieces == ["Let me check.", "\n\nIt printed hi."])
    }

    @Test func theReaderCutsLinesAnywhereAndKeepsTheResult() {
        let stdout = [StreamJSON.start("m1"), StreamJSON.delta("Hello"), StreamJSON.delta(" world"), StreamJSON.result].joined(separator: "\n")
        for size in [1, 5, 64, 10_000] {
            var reader = ClaudeStreamReader()
            var pieces: [String] = []
            let bytes = Array(stdout.utf8)
            for start in stride(from: 0, to: bytes.count, by: size) {
                bytes[start..<min(bytes.count, start + size)].withUnsafeBytes { reader.feed($0) { pieces.append(String(decoding: $0, as: UTF8.self)) } }
            }
            reader.finish { pieces.append(String(decoding: $0, as: UTF8.self)) }
            #expect(pieces == ["Hello", " world"], "pieces of \(size)")
            #expect(reader.resultLine == Array(StreamJSON.result.utf8))
        }
    }

    @Test func aLineOverTheLimitIsDropped() {
        var reader = ClaudeStreamReader(maxLineBytes: 200)
        var pieces: [String] = []
        Array((StreamJSON.delta(String(repeating: "x", count: 300)) + "\n" + StreamJSON.delta("ok") + "\n").utf8)
            .withUnsafeBytes { reader.feed($0) { pieces.append(String(decoding: $0, as: UTF8.self)) } }
        #expect(pieces == ["ok"])
    }
}
