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

@Suite struct JSONValueTextTests {
    @Test(arguments: [
        #"{"b":[1,2.5,-0.001,true,false,null],"a":{"x":"y\n\"z\""},"c":[]}"#,
        #""\u0001 🌍""#,
        "12345678901234",
        "1e-7",
    ])
    func compactTextParsesBackToTheSameValue(text: String) throws {
        let value = try #require(JSONValue.parse(Array(text.utf8)))
        #expect(JSONValue.parse(Array(value.compactText.utf8)) == value)
    }

    @Test func keysKeepTheirOrderAndNothingIsSpaced() {
        #expect(JSONValue.object(["b": .integer(1), "a": .array([.null, .bool(true)])]).compactText == #"{"b":1,"a":[null,true]}"#)
    }
}
