/// The worker's options, declared once: each one's name, environment variable, default, help and check.
/// `--help`, the environment fallback, the defaults and the README's configuration table all come from
/// here (a test holds the README to it).
public enum WorkerOption: String, CaseIterable, Sendable {
    case tokenFile = "token-file"
    case claude
    case workdir
    case stateDir = "state-dir"
    case agentMap = "agent-map"
    case maxBudgetUSD = "max-budget-usd"
    case timeout
    case killGrace = "kill-grace"
    case stopTimeout = "stop-timeout"
    case retryAfter = "retry-after"
    case maxBodyBytes = "max-body-bytes"
    case maxConversationBodyBytes = "max-conversation-body-bytes"
    case imageMaxBytes = "image-max-bytes"
    case maxImages = "max-images"
    case streaming
    case streamKeepAlive = "stream-keep-alive"
    case gitSync = "git-sync"
    case gitTimeout = "git-timeout"
    case defaultAgent = "default-agent"
    case jobMaxAgeDays = "job-max-age-days"
    case jobMaxCount = "job-max-count"
    case responseMaxAgeDays = "response-max-age-days"
    case responseStoreMaxMB = "response-store-max-mb"
    case chatErrors = "chat-errors"
    case keysFile = "keys-file"
    case budgetTimeZone = "budget-time-zone"
    case spendDir = "spend-dir"
    case queueWait = "queue-wait"
    case queueLength = "queue-length"
    case queuePerCaller = "queue-per-caller"
    case resendWindow = "resend-window"
    case resendGrace = "resend-grace"
    case resendMaxAnswers = "resend-max-answers"
    case resendStoreMaxMB = "resend-store-max-mb"
    case warmSpare = "warm-spare"
    case warmSpareMaxAge = "warm-spare-max-age"
    case logLevel = "log-level"
    case logFile = "log-file"

    /// The long option, without `--`.
    public var name: String { rawValue }

    /// `CLAUDE_FCGI_` and the name in capitals, `-` as `_`.
    public var environmentVariable: String {
        "CLAUDE_FCGI_" + String(rawValue.uppercased().map { $0 == "-" ? "_" : $0 })
    }

    /// The value used when neither the option nor its variable is given; `nil` when there is none
    /// (``defaultText`` says what happens then).
    public var defaultValue: String? {
        switch self {
        case .tokenFile, .claude, .workdir, .defaultAgent, .logFile, .keysFile, .spendDir: nil
        case .stateDir: "/var/lib/claude-fcgi"
        case .agentMap: AgentMap.defaultSpec
        case .maxBudgetUSD: "2.00"
        case .timeout: "900"
        case .killGrace: "5"
        case .stopTimeout: "90"
        case .retryAfter: "10"
        case .maxBodyBytes: String(BodyRules.defaultMaxBodyBytes)
        case .maxConversationBodyBytes: String(BodyRules.defaultMaxConversationBodyBytes)
        case .imageMaxBytes: String(ImageRules.defaultMaxBytes)
        case .maxImages: String(ImageRules.defaultMaxCount)
        case .streaming: "off"
        case .streamKeepAlive: "15"
        case .gitSync: GitSyncMode.bestEffort.rawValue
        case .gitTimeout: "60"
        case .jobMaxAgeDays: "30"
        case .jobMaxCount: "10000"
        case .responseMaxAgeDays: "7"
        case .responseStoreMaxMB: "1024"
        case .chatErrors: ErrorShape.service.rawValue
        case .budgetTimeZone: "UTC"
        case .queueWait: "0"
        case .queueLength: "16"
        case .queuePerCaller: "8"
        case .resendWindow: "600"
        case .resendGrace: "20"
        case .resendMaxAnswers: "1000"
        case .resendStoreMaxMB: "256"
        case .warmSpare: "on"
        case .warmSpareMaxAge: "3600"
        case .logLevel: "info"
        }
    }

    /// The default as people read it, in `--help` and the README.
    public var defaultText: String {
        switch self {
        case .tokenFile: "none: the worker refuses to start"
        case .claude: "claude on PATH"
        case .workdir: "the current directory"
        case .defaultAgent: "the agent map's * entry"
        case .logFile: "stderr"
        case .keysFile: "none: the token alone, as the caller default"
        case .spendDir: "<state-dir>/spend"
        default: defaultValue ?? ""
        }
    }

    /// What the option does.
    public var summary: String {
        switch self {
        case .tokenFile: "File holding the bearer token; must not be readable by others. Without it, CLAUDE_FCGI_TOKEN holds the token itself."
        case .claude: "The claude executable, a path or a name on PATH."
        case .workdir: "Working directory of claude runs (its .claude/agents/ holds the agents)."
        case .stateDir: "State directory: run lock, jobs/ and audit.log."
        case .agentMap: "Model to agent map: MODEL=AGENT pairs, comma-separated; * is the default; an empty AGENT runs plain claude."
        case .maxBudgetUSD: "Budget cap of one run in USD, passed as claude --max-budget-usd; also the most a job may ask for."
        case .timeout: "Seconds a run may take before it is stopped (SIGTERM to its process group, then SIGKILL); also the most a job may ask for."
        case .killGrace: "Seconds between SIGTERM and SIGKILL when a run is stopped."
        case .stopTimeout: "Seconds a stopping worker (SIGTERM or SIGUSR1; SIGUSR2 to be replaced) lets the run in hand go on before it cancels it; keep systemd's TimeoutStopSec above this plus --kill-grace."
        case .retryAfter: "Retry-After seconds of a busy answer, 1 to 120."
        case .maxBodyBytes: "Largest request body in bytes, except on the conversation routes; keep nginx's client_max_body_size in step."
        case .maxConversationBodyBytes: "Largest request body in bytes of /v1/chat/completions, /v1/responses and /v1/messages, whose requests may carry images; keep nginx's client_max_body_size of those locations in step."
        case .imageMaxBytes: "Largest image in a request, in bytes once decoded from base64 (the Anthropic API's limit is 5 MB)."
        case .maxImages: "Most images one request may carry."
        case .streaming: "Serve stream: true as server-sent events (on), or refuse it with a 400 as the original service did (off)."
        case .streamKeepAlive: "Seconds of silence in a streamed answer after which a keep-alive comment is sent, 1 to 15."
        case .gitSync: "Git pull of the working directory before each run: off, best-effort (a failure is logged, the run goes on) or required (a failure fails the run)."
        case .gitTimeout: "Seconds the git pull before a run may take."
        case .defaultAgent: "Agent of an /execute job that names none."
        case .jobMaxAgeDays: "Days a finished /execute job record is kept."
        case .jobMaxCount: "Most /execute job records kept; older ones are pruned."
        case .responseMaxAgeDays: "Days a stored /v1/responses response and its claude session are kept (previous_response_id can name it for as long)."
        case .responseStoreMaxMB: "Most megabytes the stored responses and their claude sessions may take together; the oldest are pruned first."
        case .chatErrors: "Shape of chat completions' error bodies: service ({\"error\": \"...\", \"detail\": \"...\"}, the original service's) or openai ({\"error\": {\"message\", \"type\", \"param\", \"code\"}})."
        case .keysFile: "Keys file: one key (its SHA-256, never the key) per caller, with its spend caps and limits; managed with `claude-fcgi keys`. The token stays valid beside it as the caller default. Re-read on change, without a restart."
        case .spendDir: "Where the callers' spend is counted; hosts of a fleet that share one directory (with working flock) share their callers' caps."
        case .budgetTimeZone: "Time zone of the callers' daily and monthly spend windows (an IANA name such as Europe/Berlin)."
        case .queueWait: "Seconds a request that finds the runner busy waits its turn, first come first served across all workers, before the busy answer; 0 answers busy at once. A waiting request holds a worker."
        case .queueLength: "Most requests waiting for the runner; beyond it, busy at once."
        case .queuePerCaller: "Most places in the waiting line one caller may hold."
        case .resendWindow: "Seconds a re-sendable request's answer (Idempotency-Key, or the openai SDK's retry) is kept for its re-send; 0 keeps none after the run."
        case .resendGrace: "Seconds a re-sendable run goes on after its client hung up, for the re-send to attach; then it is cancelled."
        case .resendMaxAnswers: "Most answers kept for re-sends; the oldest go first."
        case .resendStoreMaxMB: "Most megabytes the answers kept for re-sends take together; the oldest go first."
        case .warmSpare: "Keep one claude per host started ahead of the next default chat run, waiting for its prompt (on), so that such a run does not wait for the CLI to start; it makes no API request while it waits. off starts every run cold."
        case .warmSpareMaxAge: "Seconds a waiting warm spare is kept before a fresh one replaces it (the CLI reads its credentials and settings at start)."
        case .logLevel: "Log level: trace, debug, info, notice, warning, error or critical."
        case .logFile: "Append the log to this file instead of stderr (which the systemd unit sends to the journal)."
        }
    }

    /// The help line: the summary, the variable and the default.
    public var help: String { "\(summary) (env: \(environmentVariable); default: \(defaultText))" }

    /// What a value must be.
    public var check: OptionCheck {
        switch self {
        case .tokenFile, .claude, .workdir, .stateDir, .logFile, .agentMap, .keysFile, .budgetTimeZone, .spendDir: .anyText
        case .queueWait: .wholeNumber(0...3600)
        case .queueLength, .queuePerCaller: .wholeNumber(1...10_000)
        case .resendWindow: .wholeNumber(0...86_400)
        case .resendGrace: .wholeNumber(0...600)
        case .resendMaxAnswers: .wholeNumber(1...1_000_000)
        case .resendStoreMaxMB: .wholeNumber(1...(1 << 20))
        case .warmSpare: .oneOf(["off", "on"])
        case .warmSpareMaxAge: .wholeNumber(10...604_800)
        case .maxBudgetUSD: .positiveNumber
        case .timeout, .killGrace, .stopTimeout, .gitTimeout, .jobMaxAgeDays, .responseMaxAgeDays: .positiveNumber
        case .retryAfter: .wholeNumber(1...120)
        case .maxBodyBytes, .maxConversationBodyBytes, .jobMaxCount, .imageMaxBytes: .wholeNumber(1...Int.max)
        case .maxImages: .wholeNumber(0...100_000)
        case .responseStoreMaxMB: .wholeNumber(1...(1 << 30))
        case .chatErrors: .oneOf([ErrorShape.service, .openAI].map(\.rawValue))
        case .gitSync: .oneOf(GitSyncMode.allCases.map(\.rawValue))
        case .streaming: .oneOf(["off", "on"])
        case .streamKeepAlive: .wholeNumber(1...15)
        case .defaultAgent: .agentName
        case .logLevel: .oneOf(["trace", "debug", "info", "notice", "warning", "error", "critical"])
        }
    }
}
