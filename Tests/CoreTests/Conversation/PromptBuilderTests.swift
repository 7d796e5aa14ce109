import Testing
@testable import Core

@Suite struct PromptBuilderTests {
    func prompt(_ messages: [(Turn.Role, String)]) throws(APIError) -> String {
        try PromptBuilder.prompt(for: messages.map { Turn(role: $0.0, text: $0.1) })
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
        #expect(throws: APIError.invalidRequest("the last message must be the user's request or a function's result; messages after it are not supported")) {
            try prompt([(.user, "a"), (.assistant, "b")])
        }
    }

    @Test func aToolExchangeAfterTheRequestIsConversationAndTheRequestIsToContinue() throws {
        let call = ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#)
        let text = try PromptBuilder.prompt(for: [
            Turn(role: .system, text: "S"),
            Turn(role: .user, text: "Weather in Paris?"),
            Turn(role: .assistant, text: "", toolCalls: [call]),
            Turn(role: .tool, text: "18C", toolCallID: "call_1"),
        ])
        #expect(text == """
            System instructions:
            S

            ---

            Conversation so far:
            User: Weather in Paris?

            Assistant called function get_weather with arguments {"city":"Paris"} (call id call_1)

            Function get_weather returned (call id call_1): 18C

            ---

            Request:
            \(PromptBuilder.continueRequest)
            """)
    }

    @Test func anEarlierExchangeStaysInTheConversation() throws {
        let call = ToolCall(id: "c", name: "f", arguments: "{}")
        let text = try PromptBuilder.prompt(for: [
            Turn(role: .user, text: "a"), Turn(role: .assistant, text: "Let me look.", toolCalls: [call]),
            Turn(role: .tool, text: "r", toolCallID: "c"), Turn(role: .assistant, text: "b"), Turn(role: .user, text: "next"),
        ])
        #expect(text == "Conversation so far:\nUser: a\n\nAssistant: Let me look.\nAssistant called function f with arguments {} (call id c)"
            + "\n\nFunction f returned (call id c): r\n\nAssistant: b\n\n---\n\nRequest:\nnext")
    }

    @Test func aResultForNoEarlierCallIsRefused() {
        #expect(throws: APIError.invalidRequest("messages[1].tool_call_id 'x' answers no earlier tool call")) {
            try PromptBuilder.prompt(for: [Turn(role: .user, text: "a"), Turn(role: .tool, text: "r", toolCallID: "x")])
        }
        // An exchange must end with the results: calls the client has not answered are not a request.
        #expect(throws: APIError.self) {
            try PromptBuilder.prompt(for: [Turn(role: .user, text: "a"),
                                           Turn(role: .assistant, text: "", toolCalls: [ToolCall(id: "c", name: "f", arguments: "{}")])])
        }
    }

    // MARK: a resumed session

    static let resumed = [ToolCall(id: "call_1", name: "get", arguments: "{}"), ToolCall(id: "call_2", name: "ns.find", arguments: "{}")]
    static let responses = PromptBuilder.FieldNames(turns: "input", callID: "call_id")

    @Test func resultsOfTheResumedCallsNeedNoUserMessage() throws {
        let prompt = try PromptBuilder.prompt(for: [Turn(role: .tool, text: "sunny", toolCallID: "call_1"),
                                                    Turn(role: .tool, text: "Paris", toolCallID: "call_2")],
                                              resumedCalls: Self.resumed, names: Self.responses)
        #expect(prompt == "Conversation so far:\nFunction get returned (call id call_1): sunny\n\nFunction ns.find returned (call id call_2): Paris"
            + "\n\n---\n\nRequest:\n" + PromptBuilder.continueRequest)
    }

    @Test func resultsOfTheResumedCallsMayFollowInstructions() throws {
        // Instructions do not carry over from the resumed response: the SDK sends them again.
        let prompt = try PromptBuilder.prompt(for: [Turn(role: .system, text: "Be brief."), Turn(role: .tool, text: "sunny", toolCallID: "call_1")],
                                              resumedCalls: Self.resumed, names: Self.responses)
        #expect(prompt == "System instructions:\nBe brief.\n\n---\n\nConversation so far:\nFunction get returned (call id call_1): sunny"
            + "\n\n---\n\nRequest:\n" + PromptBuilder.continueRequest)
    }

    @Test func aResumedSessionTakesANewUserMessageAsItsRequest() throws {
        #expect(try PromptBuilder.prompt(for: [Turn(role: .user, text: "and Rome?")], resumedCalls: [], names: Self.responses)
            == "Request:\nand Rome?")
        #expect(try PromptBuilder.prompt(for: [Turn(role: .system, text: "S"), Turn(role: .user, text: "and Rome?")], resumedCalls: Self.resumed,
                                         names: Self.responses)
            == "System instructions:\nS\n\n---\n\nRequest:\nand Rome?")
    }

    @Test func aResultForAnUnknownCallIsRefusedNamingTheItem() {
        #expect(throws: APIError.invalidRequest("input[1].call_id 'call_9' answers no earlier tool call")) {
            try PromptBuilder.prompt(for: [Turn(role: .tool, text: "sunny", toolCallID: "call_1"), Turn(role: .tool, text: "x", toolCallID: "call_9")],
                                     resumedCalls: Self.resumed, names: Self.responses)
        }
        // Without a resumed session the same results answer nothing, and there is no user message.
        #expect(throws: APIError.invalidRequest("input must contain a user message")) {
            try PromptBuilder.prompt(for: [Turn(role: .tool, text: "sunny", toolCallID: "call_1")], names: Self.responses)
        }
    }

    @Test func aResumedSessionWithNothingNewIsRefused() {
        #expect(throws: APIError.self) {
            try PromptBuilder.prompt(for: [Turn(role: .system, text: "S")], resumedCalls: Self.resumed, names: Self.responses)
        }
    }

    @Test func theRunRequestResumesOnlyWithASession() throws {
        var run = RunRequest(model: "m", turns: [Turn(role: .tool, text: "sunny", toolCallID: "call_1")], resumedCalls: Self.resumed,
                             fieldNames: Self.responses)
        #expect(throws: APIError.self) { try run.prompt().text }
        run.resumesSession = "sess-1"
        #expect(try run.prompt().text.hasSuffix(PromptBuilder.continueRequest))
    }
}

@Suite struct PromptBuilderImageTests {
    static func image(_ url: String, _ place: String) -> Turn.Part { .image(ImagePart(.url(url), at: place)) }
    static func source(_ part: Turn.Part) -> ImagePart? { if case .image(let image) = part { image } else { nil } }

    @Test func imagesAreNamedInOrderAcrossTurnsAndTheRequestsComeLast() throws {
        let a = Self.image("https://x/a.png", "messages[0].content[1]")
        let b = Self.image("https://x/b.png", "messages[2].content[0]")
        let c = Self.image("https://x/c.png", "messages[3].content[0]")
        let d = Self.image("https://x/d.png", "messages[3].content[2]")
        let prompt = try PromptBuilder.build(for: [
            Turn(role: .system, text: "S"),
            Turn(role: .user, parts: [.text("Look:"), a]),
            Turn(role: .assistant, text: "A cat."),
            Turn(role: .user, parts: [b]),
            Turn(role: .assistant, text: "A dog."),
            Turn(role: .user, parts: [c, .text("and"), d]),
        ])
        #expect(prompt.text == """
            System instructions:
            S

            ---

            Conversation so far:
            User: Look:
            [image 1]

            Assistant: A cat.

            User: [image 2]

            Assistant: A dog.

            ---

            Request:
            [image 3]
            and
            [image 4]
            """)
        #expect(prompt.images == [a, b, c, d].compactMap(Self.source))
    }

    @Test func aFunctionsResultMayHoldImagesAndAFailedOneSaysFailed() throws {
        let shot = Self.image("https://x/s.png", "messages[2].content[0].content[1]")
        let prompt = try PromptBuilder.build(for: [
            Turn(role: .user, parts: [.text("Screenshot and compare"), Self.image("https://x/u.png", "messages[0].content[1]")]),
            Turn(role: .assistant, text: "", toolCalls: [ToolCall(id: "toolu_1", name: "shot", arguments: "{}"),
                                                         ToolCall(id: "toolu_2", name: "diff", arguments: #"{"a":1}"#)]),
            Turn(role: .tool, parts: [.text("here"), shot], toolCallID: "toolu_1"),
            Turn(role: .tool, text: "no diff tool", toolCallID: "toolu_2", isError: true),
        ], names: PromptBuilder.FieldNames(turns: "messages", callID: "tool_use_id"))
        #expect(prompt.text == """
            Conversation so far:
            User: Screenshot and compare
            [image 1]

            Assistant called function shot with arguments {} (call id toolu_1)
            Assistant called function diff with arguments {"a":1} (call id toolu_2)

            Function shot returned (call id toolu_1): here
            [image 2]

            Function diff failed (call id toolu_2): no diff tool

            ---

            Request:
            \(PromptBuilder.continueRequest)
            """)
        #expect(prompt.images.map(\.place) == ["messages[0].content[1]", "messages[2].content[0].content[1]"])
    }

    @Test func aTextOnlyConversationHasNoImagesAndTheSameText() throws {
        let turns = [Turn(role: .system, text: "S"), Turn(role: .user, text: "a"), Turn(role: .assistant, text: "b"), Turn(role: .user, text: "c")]
        let prompt = try PromptBuilder.build(for: turns)
        #expect(prompt.images.isEmpty)
        #expect(prompt.text == (try PromptBuilder.prompt(for: turns)))
        #expect(prompt.text == "System instructions:\nS\n\n---\n\nConversation so far:\nUser: a\n\nAssistant: b\n\n---\n\nRequest:\nc")
    }

    @Test func aRequestOfImagesAloneIsTheirNames() throws {
        let prompt = try PromptBuilder.build(for: [Turn(role: .user, parts: [Self.image("https://x/1", "p1"), Self.image("https://x/2", "p2")])])
        #expect(prompt.text == "Request:\n[image 1]\n[image 2]")
        #expect(prompt.images.map(\.place) == ["p1", "p2"])
        #expect(PromptBuilder.imageReference(12) == "[image 12]")
    }

    @Test func aFailedResultOfANamedDialectIsRefusedByItsNamesWhenItAnswersNothing() {
        #expect(throws: APIError.invalidRequest("messages[1].tool_use_id 'toolu_9' answers no earlier tool call")) {
            try PromptBuilder.build(for: [Turn(role: .user, text: "q"), Turn(role: .tool, text: "x", toolCallID: "toolu_9", isError: true)],
                                    names: PromptBuilder.FieldNames(turns: "messages", callID: "tool_use_id"))
        }
    }
}
