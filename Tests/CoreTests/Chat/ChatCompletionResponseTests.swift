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
            id: "id", created: 1, model: #"m "content":"" \"#, text: text, usage: TokenUsage(promptTokens: 1, completionTokens: 2))
        #expect(response.body == JSONBody.encode(response))
    }
}
