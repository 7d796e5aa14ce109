import Testing
@testable import Core

@Suite struct PromptBuilderTests {
    func prompt(_ messages: [(ChatMessage.Role, String)]) throws(APIError) -> String {
        try PromptBuilder.prompt(for: messages.map { ChatMessage(role: $0.0, text: $0.1) })
    }

    @Test func requestOnly() throws {
        #expect(try prompt([(.user, "hi")]) == "Request:\nhi")
    }

    @Test func systemAndRequest() throws {
        #expect(try prompt([(.system, "S1"), (.system, "S2"), (.user, "U")])
            == "System instructions:\nS1\n\nS2\n\n---\n\nRequest:\nU")
    }

    @Test func conversationAndRequest() throws {
        #expect(try prompt([(.user, "a"), (.assistant, "b"), (.user, "c")])
            == "Conversation so far:\nUser: a\n\nAssistant: b\n\n---\n\nRequest:\nc")
    }

    @Test func allThreeSections() throws {
        #expect(try prompt([(.system, "S"), (.user, "a"), (.assistant, "b"), (.system, "T"), (.user, "c")])
            == "System instructions:\nS\n\nT\n\n---\n\nConversation so far:\nUser: a\n\nAssistant: b\n\n---\n\nRequest:\nc")
    }

    @Test func aDashDashPromptIsPlainText() throws {
        #expect(try prompt([(.user, "--help")]) == "Request:\n--help")
    }

    @Test func refusesWithoutAUserMessage() {
        #expect(throws: APIError.invalidRequest("messages must contain a user message")) {
            try prompt([(.system, "S"), (.assistant, "b")])
        }
    }

    @Test func refusesMessagesAfterTheLastUserMessage() {
        #expect(throws: APIError.invalidRequest("the last message must be the user's request; messages after it are not supported")) {
            try prompt([(.user, "a"), (.assistant, "b")])
        }
    }
}
