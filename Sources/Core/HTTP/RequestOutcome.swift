/// What became of a request's attempt at a run, for the request log, the metrics and the busy status.
public enum RequestOutcome: Sendable, Equatable {
    /// Another run held the run lock: nothing ran.
    case busy
    /// A job's run started (it ends on its own, detached from the request).
    case jobStarted
    /// The run ran to this end while the request waited.
    case ran(RunOutcome)

    /// The word in the request log.
    public var word: String {
        switch self {
        case .busy: "busy"
        case .jobStarted: "job_started"
        case .ran(let outcome): outcome.word
        }
    }
}
