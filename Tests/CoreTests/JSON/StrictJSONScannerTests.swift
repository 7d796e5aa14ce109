import Testing
@testable import Core

@Suite struct StrictJSONScannerTests {
    func duplicate(_ json: String) -> String? {
        if case .duplicateKey(let key)? = StrictJSONScanner.firstProblem(in: Array(json.utf8)) { return key }
        return nil
    }

    @Test func findsTrailingCommasTheDecoderAccepts() {
        #expect(StrictJSONScanner.firstProblem(in: Array(#"{"a":1 , }"#.utf8)) == .trailingComma)
        #expect(StrictJSONScanner.firstProblem(in: Array("[1,\n]".utf8)) == .trailingComma)
        #expect(StrictJSONScanner.firstProblem(in: Array(#"{"a":",}","b":[1,2]}"#.utf8)) == nil)
        #expect(throws: APIError.invalidRequest("request body is not valid JSON")) {
            try ChatCompletionDecoder.decode(Array(#"{"model":"m","messages":[{"role":"user","content":"x"}],}"#.utf8))
        }
    }

    @Test func findsRepeatedKeysAtAnyDepth() {
        #expect(duplicate(#"{"a":1,"a":2}"#) == "a")
        #expect(duplicate(#"{"m":[{"role":"user","role":"system"}]}"#) == "role")
        #expect(duplicate(#"{"a":1,"\u0061":2}"#) == "a")
        #expect(duplicate(#"{"x":{"a":1},"y":{"a":1},"x":0}"#) == "x")
    }

    @Test func leavesDistinctKeysAlone() {
        #expect(duplicate(#"{"a":"a","b":["a","a"],"c":{"a":{"a":1}}}"#) == nil)
        #expect(duplicate(#"{"a\"b":1,"a":"\"a\":"}"#) == nil)
        #expect(duplicate(#"[{"a":1},{"a":1}]"#) == nil)
    }

    @Test func aRequestWithARepeatedKeyIsRefused() {
        #expect(throws: APIError.invalidRequest("request body repeats the key 'model'")) {
            try ChatCompletionDecoder.decode(Array(#"{"model":"a","messages":[{"role":"user","content":"x"}],"model":"b"}"#.utf8))
        }
    }

    @Test func invalidUTF8IsInvalidJSON() {
        let body = Array(#"{"model":"m","messages":[{"role":"user","content":""#.utf8) + [0xFF, 0xFE] + Array(#""}]}"#.utf8)
        #expect(throws: APIError.invalidRequest("request body is not valid JSON")) { try ChatCompletionDecoder.decode(body) }
    }
}
