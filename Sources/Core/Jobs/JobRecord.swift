/// A job of the `/execute` API as stored on disk, one file each.
public struct JobRecord: Codable, Equatable, Sendable {
    /// Running, or how its run ended; written as its word (`running`, ``RunOutcome/jobStatusWord``).
    public enum Status: Codable, CaseIterable, Sendable, Hashable {
        case running
        case ended(RunOutcome)

        public static var allCases: [Status] { [.running] + RunOutcome.allCases.map(Status.ended) }

        public var isFinished: Bool { self != .running }

        /// The word in the record and in `GET /execute` answers.
        public var word: String {
            switch self {
            case .running: "running"
            case .ended(let outcome): outcome.jobStatusWord
            }
        }

        public init(from decoder: any Decoder) throws {
            let word = try decoder.singleValueContainer().decode(String.self)
            guard let status = Self.allCases.first(where: { $0.word == word }) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown job status '\(word)'"))
            }
            self = status
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(word)
        }
    }

    /// The process that runs the job, so that a reader can tell a live job from a lost one.
    public struct Runner: Codable, Equatable, Sendable {
        public var pid: Int32
        /// The process's start time in clock ticks since boot (/proc/PID/stat field 22): a pid can be
        /// reused, a pid with its start time cannot.
        public var start_ticks: UInt64
    }

    public struct Usage: Codable, Equatable, Sendable {
        public var prompt_tokens: Int
        public var completion_tokens: Int
    }

    public var job_id: String
    /// The caller the job is for (``Caller/name``); `nil` in records from before there were callers
    /// (the token holder's).
    public var caller: String?
    public var status: Status
    public var agent: String?
    public var created: String
    public var started: String?
    public var finished: String?
    public var result: String?
    public var detail: String?
    public var cost_usd: Double?
    public var usage: Usage?
    public var runner: Runner?
    /// Input tokens read from the prompt cache (a background response reports them); not shown.
    public var cached_tokens: Int?

    public init(id: String, agent: String?, created: String, caller: String? = nil) {
        job_id = id
        self.caller = caller
        status = .running
        self.agent = agent
        self.created = created
        started = created
    }

    /// Records how the run ended.
    public mutating func finish(_ outcome: ClaudeOutcome, at time: String) {
        finished = time
        status = .ended(outcome.kind)
        if case .succeeded(let text, _) = outcome { result = text }
        detail = outcome.failureDetail
        if let report = outcome.report {
            cost_usd = report.costUSD
            usage = Usage(prompt_tokens: report.usage.promptTokens, completion_tokens: report.usage.completionTokens)
            cached_tokens = report.usage.cachedTokens
        }
    }

    /// What clients see: the record without its runner, and without `result` in listings (fields
    /// that are `nil` are left out of the JSON).
    public func publicView(includingResult: Bool = true) -> JobRecord {
        var view = self
        view.runner = nil
        view.cached_tokens = nil
        if !includingResult { view.result = nil }
        return view
    }
}
