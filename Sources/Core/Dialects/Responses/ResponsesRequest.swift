/// A validated `POST /v1/responses` body: the run it asks for, what becomes of the response, and the
/// fields its answer echoes.
public struct ResponsesRequest: Equatable, Sendable {
    /// The run, in no dialect's words.
    public var run: RunRequest
    /// `previous_response_id`: the stored response whose CLI session this run continues.
    public var previousResponseID: String?
    /// `store` (default true): the response is kept, with its session, for `GET` and to be continued.
    public var store: Bool
    /// `background: true`: answered at once, run as a job, polled.
    public var background: Bool
    /// The request's own fields that the response object repeats, as the client sent them.
    public var echo: ResponseEcho

    public init(run: RunRequest, previousResponseID: String? = nil, store: Bool = true, background: Bool = false, echo: ResponseEcho) {
        self.run = run
        self.previousResponseID = previousResponseID
        self.store = store
        self.background = background
        self.echo = echo
    }
}

/// The request fields a response object repeats (OpenAI's response carries them back), each as the
/// client sent it or as the API's default.
public struct ResponseEcho: Equatable, Sendable {
    public var model: String
    public var instructions: JSONValue = .null
    public var maxOutputTokens: JSONValue = .null
    public var metadata: JSONValue = .object([:])
    public var parallelToolCalls = true
    public var previousResponseID: JSONValue = .null
    public var reasoningEffort: JSONValue = .null
    public var store = true
    public var background = false
    public var temperature: JSONValue = .null
    public var textFormat: JSONValue = .object(["type": .string("text")])
    public var toolChoice: JSONValue = .string("auto")
    public var tools: JSONValue = .array([])
    public var topP: JSONValue = .null
    public var user: JSONValue = .null

    public init(model: String) {
        self.model = model
    }
}
