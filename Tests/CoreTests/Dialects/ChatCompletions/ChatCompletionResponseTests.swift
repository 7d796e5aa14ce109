import Testing
@testable import Core

@Suite struct ChatCompletionResponseTests {
    @Test(arguments: [
        String(repeating: "a", count: 5000),
        String(repeating: "\"content\":\"\" \\ \n\u{1} 🌍 ", count: 400),
        "short",
    ])
    func theBodyIsTheEncodersWhateverTheLength(text: String) {
        let response = ChatCompletionResponse(
            id: "id", created: 1, model: #"m "content":"" \"#, text: text, usage: TokenUsage(inputTokens: 1, outputTokens: 2))
        #expect(response.body == JSONBody.encode(response))
    }

    @Test func usageCountsCachedInputAndCallsHaveNullContent() {
        let response = ChatCompletionResponse(
            id: "id", created: 1, model: "m",
            answer: RunAnswer(content: nil, toolCalls: [ToolCall(id: "call_1", name: "f", arguments: #"{"content":""}"#)],
                              usage: TokenUsage(inputTokens: 3, cacheCreationTokens: 10, cacheReadTokens: 2000, outputTokens: 7)))
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"choices":[{"finish_reason":"tool_calls","index":0,"message":{"content":null,"role":"assistant","tool_calls":[{"function":{"arguments":"{\"content\":\"\"}","name":"f"},"id":"call_1","type":"function"}]}}],"created":1,"id":"chatcmpl-id","model":"m","object":"chat.completion","usage":{"completion_tokens":7,"prompt_tokens":2013,"prompt_tokens_details":{"cached_tokens":2000},"total_tokens":2020}}"#)
    }

    @Test func aLongAnswerBesideCallsIsSplicedAtItsContent() {
        let response = ChatCompletionResponse(
            id: "id", created: 1, model: "m",
            answer: RunAnswer(content: String(repeating: "b", count: 5000), toolCalls: [ToolCall(id: "c", name: "f", arguments: #"{"content":""}"#)]))
        #expect(response.body == JSONBody.encode(response))
    }
}
