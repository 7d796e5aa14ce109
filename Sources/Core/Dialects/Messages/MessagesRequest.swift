/// A decoded `POST /v1/messages` request: the run, and what the answer echoes.
struct MessagesRequest: Equatable, Sendable {
    var run: RunRequest
    /// Echoed as the message's `model`.
    var model: String { run.model }
}
