/// Synthesises the one prompt text that claude reads on stdin from a chat's messages.
///
/// Sections, each left out when empty, joined by `\n\n---\n\n`:
/// `System instructions:` (system and developer texts joined by a blank line),
/// `Conversation so far:` (earlier turns as `User: …` / `Assistant: …`, a blank line apart),
/// `Request:` (the last user message).
public enum PromptBuilder {
    static let separator = "\n\n---\n\n"

    public static func prompt(for messages: [ChatMessage]) throws(APIError) -> String {
        guard let lastUser = messages.lastIndex(where: { $0.role == .user }) else {
            throw .invalidRequest("messages must contain a user message")
        }
        guard lastUser == messages.count - 1 else {
            throw .invalidRequest("the last message must be the user's request; messages after it are not supported")
        }
        var system: [String] = []
        var turns: [String] = []
        for message in messages[..<lastUser] {
            switch message.role {
            case .system: system.append(message.text)
            case .user: turns.append("User: \(message.text)")
            case .assistant: turns.append("Assistant: \(message.text)")
            }
        }
        var sections: [String] = []
        if !system.isEmpty { sections.append("System instructions:\n" + system.joined(separator: "\n\n")) }
        if !turns.isEmpty { sections.append("Conversation so far:\n" + turns.joined(separator: "\n\n")) }
        sections.append("Request:\n" + messages[lastUser].text)
        return sections.joined(separator: separator)
    }
}
