import ArgumentParser
import Core
import Glibc
import Logging

/// The worker: reads its configuration, then serves FastCGI requests on the listening socket that
/// spawn-fcgi hands it as fd 0.
struct ClaudeFCGI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claude-fcgi",
        abstract: "OpenAI-compatible chat completions in front of the Claude Code CLI, as a FastCGI responder.",
        discussion: """
        Start it under spawn-fcgi (which passes the listening socket as fd 0) behind nginx. \
        Every option falls back to the environment variable named in its help, then to its default. \
        The token is read from CLAUDE_FCGI_TOKEN or from --token-file (never from the command line, \
        which ps shows); without a token the worker refuses to start.
        """
    )

    @Option(help: "File holding the bearer token; must not be readable by others. (env: CLAUDE_FCGI_TOKEN_FILE; else CLAUDE_FCGI_TOKEN holds the token)")
    var tokenFile: String?

    @Option(help: "The claude executable, a path or a name on PATH. (env: CLAUDE_FCGI_CLAUDE; default: claude)")
    var claude: String?

    @Option(help: "Working directory of claude runs. (env: CLAUDE_FCGI_WORKDIR; default: the current directory)")
    var workdir: String?

    @Option(help: "State directory: run lock, later jobs and audit log. (env: CLAUDE_FCGI_STATE_DIR; default: \(WorkerConfiguration.defaultStateDirectory))")
    var stateDir: String?

    @Option(help: "Model to agent map: MODEL=AGENT pairs, comma-separated; * is the default; an empty AGENT runs plain claude. (env: CLAUDE_FCGI_AGENT_MAP; default: \(AgentMap.defaultSpec))")
    var agentMap: String?

    @Option(name: .customLong("max-budget-usd"), help: "Budget cap of one run, passed as --max-budget-usd. (env: CLAUDE_FCGI_MAX_BUDGET_USD; default: 2.00)")
    var maxBudgetUSD: String?

    @Option(help: "Seconds a run may take before it is stopped (SIGTERM, then SIGKILL). (env: CLAUDE_FCGI_TIMEOUT; default: 900)")
    var timeout: String?

    @Option(help: "Seconds between SIGTERM and SIGKILL when a run is stopped. (env: CLAUDE_FCGI_KILL_GRACE; default: 5)")
    var killGrace: String?

    @Option(help: "Retry-After seconds of a busy 503, 1 to 120. (env: CLAUDE_FCGI_RETRY_AFTER; default: 10)")
    var retryAfter: String?

    @Option(help: "Largest request body in bytes; keep nginx's client_max_body_size in step. (env: CLAUDE_FCGI_MAX_BODY_BYTES; default: 4194304)")
    var maxBodyBytes: String?

    @Option(help: "Git sync of the working directory before each run: off, best-effort (failure is logged, the run goes on) or required (failure fails the run). (env: CLAUDE_FCGI_GIT_SYNC; default: best-effort)")
    var gitSync: String?

    @Option(help: "Seconds the git pull before a run may take. (env: CLAUDE_FCGI_GIT_TIMEOUT; default: 60)")
    var gitTimeout: String?

    @Option(help: "Agent of an /execute job that names none. (env: CLAUDE_FCGI_DEFAULT_AGENT; default: the agent map's * entry)")
    var defaultAgent: String?

    @Option(help: "Days a finished /execute job record is kept. (env: CLAUDE_FCGI_JOB_MAX_AGE_DAYS; default: 30)")
    var jobMaxAgeDays: String?

    @Option(help: "Most /execute job records kept; older ones are pruned. (env: CLAUDE_FCGI_JOB_MAX_COUNT; default: 10000)")
    var jobMaxCount: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. (env: CLAUDE_FCGI_LOG_LEVEL; default: info)")
    var logLevel: String?

    @Option(help: "Append the log to this file instead of stderr (spawn-fcgi sends a worker's stderr to /dev/null). (env: CLAUDE_FCGI_LOG_FILE; default: stderr)")
    var logFile: String?

    @Flag(help: "Check the configuration, print what is wrong or 'ok', and exit.")
    var checkConfig = false

    mutating func run() throws {
        let environment = ProcessEnvironment.current()
        let levelText = logLevel ?? environment["CLAUDE_FCGI_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ValidationError("log level '\(levelText)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        if let path = logFile ?? environment["CLAUDE_FCGI_LOG_FILE"], !path.isEmpty {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0, dup2(fd, 2) >= 0 else {
                printError("claude-fcgi: cannot open log file \(path): \(String(cString: strerror(errno)))")
                throw ExitCode(2)
            }
            close(fd)
        }
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level) }
        let logger = Logger(label: "claude-fcgi")

        let options = RawOptions(
            tokenFile: tokenFile, claude: claude, workdir: workdir, stateDir: stateDir, agentMap: agentMap,
            maxBudgetUSD: maxBudgetUSD, timeout: timeout, killGrace: killGrace, retryAfter: retryAfter,
            maxBodyBytes: maxBodyBytes, gitSync: gitSync, gitTimeout: gitTimeout, defaultAgent: defaultAgent,
            jobMaxAgeDays: jobMaxAgeDays, jobMaxCount: jobMaxCount)
        let configuration: WorkerConfiguration
        do {
            configuration = try WorkerConfiguration.resolve(options, environment: environment, currentDirectory: ProcessEnvironment.currentDirectory())
            try ProcessEnvironment.makeDirectory(configuration.jobsDirectory)
        } catch {
            printError("claude-fcgi: \(error)")
            throw ExitCode(2)
        }
        for agent in configuration.missingAgents(environment: environment) {
            logger.warning("agent '\(agent)' not found in \(configuration.claude.workingDirectory)/.claude/agents or the claude config dir; runs with it will fail")
        }
        if checkConfig {
            print("ok")
            return
        }

        let ownExecutable = ProcessControl.ownExecutable()
        let service = Service(
            configuration: configuration.service,
            lock: FileRunLock(path: configuration.lockPath),
            runner: SupervisedClaudeRunner(
                supervisorExecutable: ownExecutable,
                settings: configuration.claude,
                stateDirectory: configuration.stateDirectory,
                gitSync: configuration.gitSync,
                log: { logger.warning("\($0)") }),
            execute: ExecuteEndpoint(
                settings: configuration.jobs,
                store: FileJobStore(directory: configuration.jobsDirectory),
                runner: DetachedJobRunner(supervisorExecutable: ownExecutable))
        )
        let loop = FastCGILoop(maxBodyBytes: configuration.service.maxBodyBytes, logger: logger)
        guard loop.isStartedByFastCGISpawner else {
            printError("claude-fcgi: fd 0 is not a listening socket; start it with spawn-fcgi (see README)")
            throw ExitCode(2)
        }
        logger.info("worker ready", metadata: ["pid": "\(getpid())", "state_dir": "\(configuration.stateDirectory)"])
        loop.serve(service.handle)
    }

    private func printError(_ text: String) {
        let line = Array((text + "\n").utf8)
        _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

// `claude-fcgi supervise …` is the per-run supervisor the worker starts, and `claude-fcgi exec-child
// --parent-pid=N -- CLAUDE ARGS…` the step by which the supervisor starts claude; neither is for people.
switch CommandLine.arguments.dropFirst().first {
case "supervise":
    Supervise.run(Array(CommandLine.arguments.dropFirst(2)))
case "exec-child":
    ExecChild.run(Array(CommandLine.arguments.dropFirst(2)))
default:
    ClaudeFCGI.main()
}
