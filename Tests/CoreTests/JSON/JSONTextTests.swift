import FoundationEssentials
import Testing
@testable import Core

@Suite struct JSONTextTests {
    func quoted(_ text: String) -> String {
        var output: [UInt8] = []
        JSONText.appendQuoted(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    @Test func writesWhatTheEncoderWrites() {
        let every = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        for text in [every, "", "plain", "a/b \"q\" \\ \u{7F} \u{2028}\u{2029} é 🌍", String(repeating: "x\n", count: 3000)] {
            #expect(quoted(text) == String(decoding: JSONBody.encode([text]).dropFirst().dropLast(), as: UTF8.self))
        }
    }
}
