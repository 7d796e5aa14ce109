/// Decides which text of a streamed run goes to the client, so that what the client assembles is
/// true: every top-level turn's text once, turns apart by a blank line, and never the same text twice.
///
/// The CLI can show a message's text again: after a failed stream it retries, streaming the message
/// anew or fetching it whole without streaming (claude-cli.md, "Failures mid-way"). Text already sent
/// cannot be taken back, so a retry's text is sent only where it goes past what was sent; a retry
/// that says something else than what was sent ends the run as failed (``diverged``).
struct StreamedText {
    /// Text of the current message that went out and that no `assistant` line has confirmed yet.
    private var sent: [UInt8] = []
    /// How much of the current attempt at that message has arrived.
    private var attemptLength = 0
    /// The message being streamed.
    private var currentMessage: String?
    /// Some text went out in an earlier turn: the next turn's text starts with a blank line.
    private var sentEarlierTurn = false
    /// A retry's text differs from what was sent; nothing more is sent.
    private(set) var diverged = false

    /// The separator between the texts of two turns.
    static let turnSeparator = Array("\n\n".utf8)

    /// Takes one line's meaning; returns the bytes to send (often none).
    mutating func take(_ line: ClaudeStreamLine) -> [UInt8] {
        switch line {
        case .messageStarted(let id):
            // A new message, or a retry of the unconfirmed one: its text is measured against `sent`.
            currentMessage = id
            attemptLength = 0
            return []
        case .textDelta(let text):
            return extend(Array(text.utf8))
        case .assistantText(let id, let text):
            // A message fetched without streaming arrives whole: as an attempt of its own.
            var fresh: [UInt8] = []
            if id != currentMessage {
                attemptLength = 0
                fresh = extend(Array(text.utf8))
            }
            sent = []
            attemptLength = 0
            currentMessage = nil
            return fresh
        case .result, .other:
            return []
        }
    }

    /// Adds a piece of the current attempt; returns what goes past what was sent.
    private mutating func extend(_ piece: [UInt8]) -> [UInt8] {
        guard !diverged else { return [] }
        let overlap = min(piece.count, max(0, sent.count - attemptLength))
        guard piece[..<overlap].elementsEqual(sent[attemptLength..<(attemptLength + overlap)]) else {
            diverged = true
            return []
        }
        attemptLength += piece.count
        let fresh = piece[overlap...]
        guard !fresh.isEmpty else { return [] }
        var out: [UInt8] = sent.isEmpty && sentEarlierTurn ? Self.turnSeparator : []
        out += fresh
        sent += fresh
        sentEarlierTurn = true
        return out
    }
}
