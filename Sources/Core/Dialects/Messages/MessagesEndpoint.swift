/// The Anthropic Messages API: `POST /v1/messages` (answered whole or streamed) and
/// `POST /v1/messages/count_tokens` (answered "not available": see ``countTokens()``).
public struct MessagesEndpoint: Sendable {
    public static let collectionPattern = "/v1/messages"
    public static let countTokensPattern = "/v1/messages/count_tokens"

    let conversation: ConversationRunner

    public init(conversation: ConversationRunner) {
        self.conversation = conversation
    }

    var gate: RunGate { conversation.gate }

    /// `POST /v1/messages`: the lock (busy answered at once, before the body is read, as chat does; or
    /// a place in the line for the runner once the body is read), the request, the run, the message — or
    /// its events.
    func create(_ request: HTTPRequest, note: inout RunNote, live: ResponseStream?) throws -> HTTPResponse {
        let busy = APIError.busy(retryAfterSeconds: gate.retryAfterSeconds)
        var held = try gate.tryAcquireBeforeReading(busy: busy)
        defer { held?.release() }
        let decoded = try MessagesDecoder.decode(request.body)
        let prepared = try conversation.prepare(decoded.run, for: request.caller)
        note.requestID = prepared.requestID
        let message = MessageObject(requestID: prepared.requestID, model: decoded.model)
        let events = decoded.run.stream ? MessageEvents(message: message) : nil
        let lock = try conversation.turn(&held, for: request, busy: busy, live: events == nil ? nil : live, encoder: events)
        guard let events else {
            let answer = try conversation.answer(prepared, lock: lock, cancelOn: request.connectionDescriptor, grace: request.hangUpGrace, note: &note)
            return .json(status: 200, body: message.json(answer))
        }
        return try conversation.stream(prepared, lock: lock, cancelOn: request.connectionDescriptor, grace: request.hangUpGrace, note: &note, encoder: events, live: live)
    }

    /// `POST /v1/messages/count_tokens`: a count made here could not be the run's (the CLI adds its own
    /// system prompt, tools and context, and only the API counts tokens), so the answer is a clear
    /// `not_found_error` rather than a wrong number.
    func countTokens() throws -> HTTPResponse {
        throw APIError.unavailable(detail: "count_tokens cannot be answered truthfully here: claude adds its own system prompt and tools to every run, and only the Anthropic API counts tokens")
    }
}
