import Testing
@testable import Core

@Suite struct JSONParserTests {
    func parse(_ text: String) -> JSONValue? { JSONValue.parse(Array(text.utf8)) }

    /// The request-body error for `text`, or nil when it is accepted.
    func requestError(_ text: String) -> APIError? {
        do {
            _ = try JSONValue.parseRequestObject(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        // What Foundation's decoder made of each, read into JSONValue as Int64 first, then Double.
        ("0", JSONValue.integer(0)), ("-0", .integer(0)), ("-0.0", .integer(0)), ("1.0", .integer(1)), ("-1.0", .integer(-1)),
        ("1e3", .integer(1000)), ("1E3", .integer(1000)), ("1e+2", .integer(100)), ("1.0E+2", .integer(100)),
        ("2.50e1", .integer(25)), ("100e-2", .integer(1)), ("1e-400", .integer(0)),
        ("9223372036854775807", .integer(.max)), ("-9223372036854775808", .integer(.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)), ("-9223372036854775809", .double(-9_223_372_036_854_775_808)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
        ("1.5", .double(1.5)), ("0.1", .double(0.1)), ("1e-3", .double(0.001)), ("-2.5e-1", .double(-0.25)),
        ("4.9e-324", .double(.leastNonzeroMagnitude)), ("1.7976931348623157e308", .double(1.7976931348623157e308)),
    ])
    func numbersAreReadAsFoundationReadThem(text: String, value: JSONValue) {
        #expect(parse(text) == value)
    }

    @Test(arguments: ["01", "-01", "1.", ".5", "+1", "-", "1e", "1e+", "1.e3", "0x10", "1e400", "-1e400", "1.8e308", "NaN", "Infinity", "--1", "1 2"])
    func malformedNumbersAreInvalid(text: String) {
        #expect(parse(text) == nil)
    }

    @Test func stringsDecodeEveryEscape() {
        #expect(parse(#""\" \\ \/ \b \f \n \r \t""#) == .string("\" \\ / \u{08} \u{0C} \n \r \t"))
        #expect(parse(#""\u0041\u00e9\u20AC\u0000""#) == .string("Aé€\u{0}"))
        #expect(parse(#""\ud83c\udf0D x""#) == .string("🌍 x"))
        #expect(parse(#""plain é 🌍 \u007f""#) == .string("plain é 🌍 \u{7F}"))
        // Runs longer than the eight-byte fast path, with an escape at every place within a word.
        for place in 0..<17 {
            let before = String(repeating: "a", count: place), after = String(repeating: "b", count: 20)
            #expect(parse("\"\(before)\\n\(after)\"") == .string(before + "\n" + after))
        }
    }

    @Test(arguments: [
        #""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\ud800\u0041""#, #""\udc00\ud800""#,  // lone surrogates (refused, as by Foundation)
        #""\x""#, #""\u12""#, #""\u12g4""#, #""\U0041""#, "\"a\tb\"", "\"a\nb\"", "\"\u{1}\"",  // bad escapes, raw controls
        #""open"#, #""\""#,
    ])
    func badStringsAreInvalid(text: String) {
        #expect(parse(text) == nil)
    }

    @Test func invalidUTF8IsInvalid() {
        for bytes: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80]] {
            #expect(JSONValue.parse([0x22] + bytes + [0x22]) == nil)
            #expect(JSONValue.parse(Array(#"{"a":"\n"#.utf8) + bytes + [0x22, 0x7D]) == nil)
        }
        #expect(JSONValue.parse([0x22, 0xE2, 0x82, 0xAC, 0x22]) == .string("€"))
    }

    @Test func literalsAndWhitespace() {
        #expect(parse(" \t\r\n[true , false,null ]\n") == .array([.bool(true), .bool(false), .null]))
        #expect(JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("1".utf8)) == .integer(1))
        for text in ["tru", "nul", "falsey", "True", "\u{0C}1", "1\u{0B}", "\u{A0}1", "[1]x", "{} {}", "", " ", "[", "{", "]"] {
            #expect(parse(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test func containersAreStrict() {
        #expect(parse(#"{"a":[],"b":{},"c":[{}]}"#) == .object(["a": .array([]), "b": .object([:]), "c": .array([.object([:])])]))
        for text in ["[1,]", "[,1]", "[1,,2]", "[1 2]", #"{"a":1,}"#, #"{,"a":1}"#, #"{"a" 1}"#, #"{"a":}"#, #"{a:1}"#, #"{'a':1}"#,
                     #"{"a":1 "b":2}"#, #"{1:1}"#, "[1}", #"{"a":1]"#] {
            #expect(parse(text) == nil, "\(text)")
        }
    }

    @Test func nestingStopsAt512Levels() {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        #expect(parse(nested(512)) != nil)
        #expect(parse(nested(513)) == nil)
        #expect(parse(String(repeating: #"{"a":"#, count: 512) + "1" + String(repeating: "}", count: 512)) != nil)
        #expect(parse(String(repeating: #"{"a":"#, count: 513) + "1" + String(repeating: "}", count: 513)) == nil)
        #expect(parse(nested(100_000)) == nil)
    }

    @Test func aRepeatedKeyAtAnyDepthIsNotAValue() {
        for text in [#"{"a":1,"a":2}"#, #"{"m":[{"role":"user","role":"system"}]}"#, #"{"a":1,"\u0061":2}"#] {
            #expect(parse(text) == nil, "\(text)")
        }
        #expect(parse(#"[{"a":1},{"a":1}]"#) != nil)
        #expect(parse(#"{"a\"b":1,"a":"\"a\":"}"#) == .object(["a\"b": .integer(1), "a": .string("\"a\":")]))
    }

    @Test func aRequestBodyNamesItsProblem() throws {
        #expect(requestError("") == .invalidRequest("request body is empty"))
        #expect(requestError("{") == .invalidRequest("request body is not valid JSON"))
        #expect(requestError(#"{"a":1 , }"#) == .invalidRequest("request body is not valid JSON"))
        #expect(requestError("[1,\n]") == .invalidRequest("request body is not valid JSON"))
        #expect(requestError("[1]") == .invalidRequest("request body must be a JSON object, not array"))
        // A repeated key is named, the first in text order, after the body's type is known.
        #expect(requestError(#"[{"a":1,"a":2}]"#) == .invalidRequest("request body must be a JSON object, not array"))
        #expect(requestError(#"{"a":1,"a":2}"#) == .invalidRequest("request body repeats the key 'a'"))
        #expect(requestError(#"{"x":0,"x":{"a":1,"a":2}}"#) == .invalidRequest("request body repeats the key 'x'"))
        #expect(requestError(#"{"x":{"a":1,"a":2},"x":0}"#) == .invalidRequest("request body repeats the key 'a'"))
        #expect(requestError(#"{"a":1,"\u0061":2}"#) == .invalidRequest("request body repeats the key 'a'"))
        #expect(requestError(#"{"a":1,"a":2,"b":}"#) == .invalidRequest("request body is not valid JSON"))
        #expect(try JSONValue.parseRequestObject(Array(#"{"b":1,"a":2}"#.utf8)).keys == ["b", "a"])
    }

    @Test func aChatRequestWithARepeatedKeyOrATrailingCommaIsRefused() {
        #expect(throws: APIError.invalidRequest("request body repeats the key 'model'")) {
            try ChatCompletionDecoder.decode(Array(#"{"model":"a","messages":[{"role":"user","content":"x"}],"model":"b"}"#.utf8))
        }
        #expect(throws: APIError.invalidRequest("request body is not valid JSON")) {
            try ChatCompletionDecoder.decode(Array(#"{"model":"m","messages":[{"role":"user","content":"x"}],}"#.utf8))
        }
        let body = Array(#"{"model":"m","messages":[{"role":"user","content":""#.utf8) + [0xFF, 0xFE] + Array(#""}]}"#.utf8)
        #expect(throws: APIError.invalidRequest("request body is not valid JSON")) { try ChatCompletionDecoder.decode(body) }
    }
}
