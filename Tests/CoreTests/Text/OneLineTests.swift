import Testing
@testable import Core

@Suite struct OneLineTests {
    @Test func removesControlCharactersAndEscapes() {
        #expect(OneLine.clean("a\r\nb\tc\u{1B}[31mred\u{1B}[0m\u{07}d") == "a b cred d")
    }

    @Test func foldsWhitespaceAndTrims() {
        #expect(OneLine.clean("  a \n\n  b  ") == "a b")
    }

    @Test func cutsToTheLimit() {
        let long = String(repeating: "x", count: 1 << 20)
        let cleaned = OneLine.clean(long)
        #expect(cleaned.count == 300)
        #expect(cleaned.hasSuffix("…"))
    }

    @Test func printableASCIIIsKeptWhole() {
        #expect(OneLine.clean("/v1/models/claude-3?x=%41", limit: 25) == "/v1/models/claude-3?x=%41")
        #expect(OneLine.clean("/v1/models/claude-3?x=%41", limit: 24) == "/v1/models/claude-3?x=%…", "one over the limit is cut")
        #expect(OneLine.clean("/a\u{7F}b") == "/a b", "DEL is a control character")
    }

    @Test func keepsJSONLookingTextAsText() {
        #expect(OneLine.clean("{\"error\":\n\"x\"}") == "{\"error\": \"x\"}")
    }
}
