/// Synthesises the one prompt text that claude reads on stdin from a conversation's turns.
///
/// Sections, each left out when empty, joined by `\n\n---\n\n`:
/// `System instructions:` (system and developer texts joined by a blank line),
/// `Conversation so far:` (earlier turns as `User: …` / `Assistant: …`, a blank line apart),
/// `Request:` (the last user message).
///
/// Function calling: an assistant's calls read `Assistant called function NAME with arguments ARGS
/// (call id ID)`, a `tool` message `Function NAME returned (call id ID): TEXT` (`failed` for a failed one).
/// An image is named where it was, `[image N]`; the images go to the CLI beside the text (``Prompt``). When the request ends
/// with such an exchange (the client ran the functions and sends their results), the last user
/// message and the exchange are part of the conversation, and the request is to continue it.
public enum PromptBuilder {
    /// What a dialect calls the turns and a result's call id, for error messages.
    public struct FieldNames: Equatable, Sendable {
        public var turns: String
        public var callID: String
        /// The refusal of turns that go on after the last user message without being function results.
        public var trailingTurns: String

        public init(turns: String, callID: String) {
            self.turns = turns
            self.callID = callID
            trailingTurns = "\(turns) must end with the user's request or a function's result; what follows the last user message is not supported"
        }

        /// Chat completions': `messages`, `tool_call_id`, and the original service's words for trailing turns.
        public static let chat: FieldNames = {
            var names = FieldNames(turns: "messages", callID: "tool_call_id")
            names.trailingTurns = "the last message must be the user's request or a function's result; messages after it are not supported"
            return names
        }()
    }

    static let separator = "\n\n---\n\n"
    static let continueRequest = "Continue the conversation above: answer the user's last message, using what the functions returned."

    /// What the CLI is given: the prompt's text and the images it refers to as `[image N]` (N counting
    /// from 1, in the order the text names them).
    public struct Prompt: Equatable, Sendable {
        public var text: String
        public var images: [ImagePart]
    }

    /// The prompt's text alone (a conversation without images).
    public static func prompt(for messages: [Turn], resumedCalls: [ToolCall]? = nil, names: FieldNames = .chat) throws(APIError) -> String {
        try build(for: messages, resumedCalls: resumedCalls, names: names).text
    }

    /// - Parameters:
    ///   - resumedCalls: for a run that resumes a CLI session, the calls its last answer made (the
    ///     results among the turns answer them, and the turns need no user message of their own);
    ///   `nil` for a run that starts afresh.
    ///   - names: the request's fields, as error messages name them.
    public static func build(for messages: [Turn], resumedCalls: [ToolCall]? = nil, names: FieldNames = .chat) throws(APIError) -> Prompt {
        let field = names.turns
        var calls: [String: String] = [:]
        for call in resumedCalls ?? [] { calls[call.id] = call.name }
        let lastUser = messages.lastIndex(where: { $0.role == .user })
        guard lastUser != nil || resumedCalls != nil else {
            throw .invalidRequest("\(field) must contain a user message")
        }
        // Instructions are instructions wherever they stand (Claude Code sends its own after the user's
        // message; a resumed run's new turns may begin with them): only the rest must be results.
        let tail = messages[((lastUser ?? -1) + 1)...].filter { $0.role != .system }
        let endsWithResults = !tail.isEmpty && tail.last?.role == .tool
            && tail.allSatisfy { $0.role == .tool || ($0.role == .assistant && !$0.toolCalls.isEmpty) }
        guard endsWithResults || lastUser != nil else {
            throw .invalidRequest("\(field) must contain a user message or the results of the functions the last answer called")
        }
        guard tail.isEmpty || endsWithResults else {
            throw .invalidRequest(names.trailingTurns)
        }
        var images: [ImagePart] = []
        var system: [String] = []
        var turns: [String] = []
        for (index, message) in messages.enumerated() where index != lastUser || endsWithResults {
            let text = render(message, images: &images)
            switch message.role {
            case .system: system.append(text)
            case .user: turns.append("User: \(text)")
            case .assistant:
                var lines: [String] = text.isEmpty ? [] : ["Assistant: \(text)"]
                for call in message.toolCalls {
                    calls[call.id] = call.name
                    lines.append("Assistant called function \(call.name) with arguments \(call.arguments) (call id \(call.id))")
                }
                turns.append(lines.isEmpty ? "Assistant: " : lines.joined(separator: "\n"))
            case .tool:
                let id = message.toolCallID ?? ""
                guard let name = calls[id] else {
                    throw .invalidRequest("\(field)[\(index)].\(names.callID) '\(OneLine.clean(id, limit: 64))' answers no earlier tool call")
                }
                turns.append("Function \(name) \(message.isError ? "failed" : "returned") (call id \(id)): \(text)")
            }
        }
        let request = endsWithResults ? continueRequest : lastUser.map { render(messages[$0], images: &images) } ?? ""
        var sections: [String] = []
        if !system.isEmpty { sections.append("System instructions:\n" + system.joined(separator: "\n\n")) }
        if !turns.isEmpty { sections.append("Conversation so far:\n" + turns.joined(separator: "\n\n")) }
        sections.append("Request:\n" + request)
        return Prompt(text: sections.joined(separator: separator), images: images)
    }

    /// A turn's content as the prompt says it: its text parts, and `[image N]` where an image was.
    static func render(_ turn: Turn, images: inout [ImagePart]) -> String {
        if turn.parts.count == 1, case .text(let text) = turn.parts[0] { return text }
        var pieces: [String] = []
        for part in turn.parts {
            switch part {
            case .text(let text): pieces.append(text)
            case .image(let image):
                images.append(image)
                pieces.append(imageReference(images.count))
            }
        }
        return pieces.joined(separator: "\n")
    }

    /// How the prompt names its `number`th image (the label the CLI's message puts before the image too).
    static func imageReference(_ number: Int) -> String { "[image \(number)]" }
}
