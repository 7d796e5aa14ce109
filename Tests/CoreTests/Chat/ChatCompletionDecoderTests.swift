import Testing
@testable import Core

@Suite struct ChatCompletionDecoderTests {
    func decode(_ json: String) throws(APIError) -> ChatCompletionRequest {
        try ChatCompletionDecoder.decode(Array(json.utf8))
    }

    func error(_ json: String) -> APIError? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesAMinimalRequest() throws {
        let request = try decode(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(request == ChatCompletionRequest(model: "m", messages: [ChatMessage(role: .user, text: "hi")]))
    }

    @Test func decodesOptionalFieldsAndIgnoresUnknownOnes() throws {
        let request = try decode(#"""
            {"model":"m","messages":[{"role":"developer","content":"d"},{"role":"user","content":"u"}],
             "max_tokens":5,"max_completion_tokens":7,"temperature":0.5,"n":1,"stream":false,
             "user":"x","metadata":{"a":"b"},"stream_options":null,"response_format":{"type":"text"}}
            """#)
        #expect(request.maxTokens == 5)
        #expect(request.maxCompletionTokens == 7)
        #expect(request.temperature == 0.5)
        #expect(request.messages.first == ChatMessage(role: .system, text: "d"))
    }

    @Test func joinsTextPartsWithNewlines() throws {
        let request = try decode(#"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}"#)
        #expect(request.messages[0].text == "a\nb")
    }

    @Test func refusesStreaming() {
        #expect(error(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}"#) == .streamingNotSupported)
    }

    @Test(arguments: [
        ("", "request body is empty"),
        ("{", "request body is not valid JSON"),
        ("[1]", "request body must be a JSON object, not array"),
        (#""x""#, "request body must be a JSON object, not string"),
        (#"{"messages":[{"role":"user","content":"hi"}]}"#, "model must be a non-empty string"),
        (#"{"model":"","messages":[{"role":"user","content":"hi"}]}"#, "model must be a non-empty string"),
        (#"{"model":5,"messages":[{"role":"user","content":"hi"}]}"#, "model must be a non-empty string"),
        (#"{"model":"m","messages":[]}"#, "messages must be a non-empty array"),
        (#"{"model":"m","messages":{}}"#, "messages must be a non-empty array"),
        (#"{"model":"m"}"#, "messages must be a non-empty array"),
        (#"{"model":"m","messages":["hi"]}"#, "messages[0] must be an object, not string"),
        (#"{"model":"m","messages":[{"content":"hi"}]}"#, "messages[0].role must be a string"),
        (#"{"model":"m","messages":[{"role":"tool","content":"hi"}]}"#, "messages[0].role 'tool' is not supported"),
        (#"{"model":"m","messages":[{"role":"function","content":"hi"}]}"#, "messages[0].role 'function' is not supported"),
        (#"{"model":"m","messages":[{"role":"user"}]}"#, "messages[0].content must be a string or an array of text parts"),
        (#"{"model":"m","messages":[{"role":"user","content":7}]}"#, "messages[0].content must be a string or an array of text parts"),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}"#,
         "messages[0].content[0] has type 'image_url'; only 'text' parts are supported"),
        (#"{"model":"m","messages":[{"role":"user","content":["x"]}]}"#, "messages[0].content[0] must be an object, not string"),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}"#, "messages[0].content[0].text must be a string"),
        (#"{"model":"m","messages":[{"role":"user","content":"a\u0000b"}]}"#, "messages[0].content contains a NUL character"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":"yes"}"#, "stream must be a boolean, not string"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[]}"#, "tools is not supported"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":"auto"}"#, "tool_choice is not supported"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"functions":[]}"#, "functions is not supported"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"function_call":"auto"}"#, "function_call is not supported"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}"#,
         "response_format of type 'json_object' is not supported"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":"json"}"#, "response_format must be an object, not string"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"n":2}"#, "n must be 1"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":3}"#, "temperature must be a number from 0 to 2"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}"#, "temperature must be a number from 0 to 2"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":0}"#, "max_tokens must be a positive integer"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":1.5}"#, "max_tokens must be a positive integer"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":-1}"#, "max_completion_tokens must be a positive integer"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":99999999999999999999999}"#, "max_tokens must be a positive integer"),
    ])
    func refusesWithAMessageNamingTheProblem(body: String, message: String) {
        #expect(error(body) == .invalidRequest(message))
    }

    @Test func refusesNaNAndDeepNestingAsInvalidJSON() {
        #expect(error(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":NaN}"#) == .invalidRequest("request body is not valid JSON"))
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(error(deep) == .invalidRequest("request body is not valid JSON"))
    }
}
