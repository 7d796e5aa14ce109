/// What a request did about a run, for the request log.
public struct RunNote: Sendable, Equatable {
    /// What became of the run; `nil` when no run was attempted.
    public var outcome: RequestOutcome?
    /// The run's request id (a job's id), as in the audit log.
    public var requestID: String?
    /// The caller whose key the request carried (``Caller/name``); `nil` for a route without a token.
    public var caller: String?
    /// Something that went wrong after the answer was decided (a response that could not be stored),
    /// for the log: the client got its answer.
    public var problem: String?

    public init(outcome: RequestOutcome? = nil, requestID: String? = nil, caller: String? = nil, problem: String? = nil) {
        self.caller = caller
        self.problem = problem
        self.outcome = outcome
        self.requestID = requestID
    }
}
