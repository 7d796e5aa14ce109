import ArgumentParser
import Core
import Glibc
import Logging

/// The worker: reads its configuration, then serves FastCGI requests on the listening socket that
/// spawn-fcgi hands it as fd 0. Each option's name, help, variable and default come from `WorkerOption`.
struct ClaudeFCGI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claude-fcgi",
        abstract: "OpenAI-compatible chat completions and Responses API in front of the Claude Code CLI, as a FastCGI responder.",
        discussion: """
        Start it under spawn-fcgi (which passes the listening socket as fd 0) behind nginx. \
        Every option falls back to the environment variable named in its help, then to its default. \
        The token is read from CLAUDE_FCGI_TOKEN or from --token-file (never from the command line, \
        which ps shows); without a token the worker refuses to start.
        """,
        subcommands: [KeysCommand.self]
    )

    @Option(name: .customLong(WorkerOption.tokenFile.name), help: ArgumentHelp(WorkerOption.tokenFile.help)) var tokenFile: String?
    @Option(name: .customLong(WorkerOption.claude.name), help: ArgumentHelp(WorkerOption.claude.help)) var claude: String?
    @Option(name: .customLong(WorkerOption.workdir.name), help: ArgumentHelp(WorkerOption.workdir.help)) var workdir: String?
    @Option(name: .customLong(WorkerOption.stateDir.name), help: ArgumentHelp(WorkerOption.stateDir.help)) var stateDir: String?
    @Option(name: .customLong(WorkerOption.agentMap.name), help: ArgumentHelp(WorkerOption.agentMap.help)) var agentMap: String?
    @Option(name: .customLong(WorkerOption.maxBudgetUSD.name), help: ArgumentHelp(WorkerOption.maxBudgetUSD.help)) var maxBudgetUSD: String?
    @Option(name: .customLong(WorkerOption.timeout.name), help: ArgumentHelp(WorkerOption.timeout.help)) var timeout: String?
    @Option(name: .customLong(WorkerOption.killGrace.name), help: ArgumentHelp(WorkerOption.killGrace.help)) var killGrace: String?
    @Option(name: .customLong(WorkerOption.stopTimeout.name), help: ArgumentHelp(WorkerOption.stopTimeout.help)) var stopTimeout: String?
    @Option(name: .customLong(WorkerOption.retryAfter.name), help: ArgumentHelp(WorkerOption.retryAfter.help)) var retryAfter: String?
    @Option(name: .customLong(WorkerOption.maxBodyBytes.name), help: ArgumentHelp(WorkerOption.maxBodyBytes.help)) var maxBodyBytes: String?
    @Option(name: .customLong(WorkerOption.maxConversationBodyBytes.name), help: ArgumentHelp(WorkerOption.maxConversationBodyBytes.help)) var maxConversationBodyBytes: String?
    @Option(name: .customLong(WorkerOption.imageMaxBytes.name), help: ArgumentHelp(WorkerOption.imageMaxBytes.help)) var imageMaxBytes: String?
    @Option(name: .customLong(WorkerOption.maxImages.name), help: ArgumentHelp(WorkerOption.maxImages.help)) var maxImages: String?
    @Option(name: .customLong(WorkerOption.streaming.name), help: ArgumentHelp(WorkerOption.streaming.help)) var streaming: String?
    @Option(name: .customLong(WorkerOption.streamKeepAlive.name), help: ArgumentHelp(WorkerOption.streamKeepAlive.help)) var streamKeepAlive: String?
    @Option(name: .customLong(WorkerOption.gitSync.name), help: ArgumentHelp(WorkerOption.gitSync.help)) var gitSync: String?
    @Option(name: .customLong(WorkerOption.gitTimeout.name), help: ArgumentHelp(WorkerOption.gitTimeout.help)) var gitTimeout: String?
    @Option(name: .customLong(WorkerOption.defaultAgent.name), help: ArgumentHelp(WorkerOption.defaultAgent.help)) var defaultAgent: String?
    @Option(name: .customLong(WorkerOption.jobMaxAgeDays.name), help: ArgumentHelp(WorkerOption.jobMaxAgeDays.help)) var jobMaxAgeDays: String?
    @Option(name: .customLong(WorkerOption.jobMaxCount.name), help: ArgumentHelp(WorkerOption.jobMaxCount.help)) var jobMaxCount: String?
    @Option(name: .customLong(WorkerOption.responseMaxAgeDays.name), help: ArgumentHelp(WorkerOption.responseMaxAgeDays.help)) var responseMaxAgeDays: String?
    @Option(name: .customLong(WorkerOption.responseStoreMaxMB.name), help: ArgumentHelp(WorkerOption.responseStoreMaxMB.help)) var responseStoreMaxMB: String?
    @Option(name: .customLong(WorkerOption.chatErrors.name), help: ArgumentHelp(WorkerOption.chatErrors.help)) var chatErrors: String?
    @OptionGroup var keysLocation: KeysCommand.Location
    @Option(name: .customLong(WorkerOption.budgetTimeZone.name), help: ArgumentHelp(WorkerOption.budgetTimeZone.help)) var budgetTimeZone: String?
    @Option(name: .customLong(WorkerOption.spendDir.name), help: ArgumentHelp(WorkerOption.spendDir.help)) var spendDir: String?
    @Option(name: .customLong(WorkerOption.queueWait.name), help: ArgumentHelp(WorkerOption.queueWait.help)) var queueWait: String?
    @Option(name: .customLong(WorkerOption.queueLength.name), help: ArgumentHelp(WorkerOption.queueLength.help)) var queueLength: String?
    @Option(name: .customLong(WorkerOption.queuePerCaller.name), help: ArgumentHelp(WorkerOption.queuePerCaller.help)) var queuePerCaller: String?
    @Option(name: .customLong(WorkerOption.resendWindow.name), help: ArgumentHelp(WorkerOption.resendWindow.help)) var resendWindow: String?
    @Option(name: .customLong(WorkerOption.resendGrace.name), help: ArgumentHelp(WorkerOption.resendGrace.help)) var resendGrace: String?
    @Option(name: .customLong(WorkerOption.resendMaxAnswers.name), help: ArgumentHelp(WorkerOption.resendMaxAnswers.help)) var resendMaxAnswers: String?
    @Option(name: .customLong(WorkerOption.resendStoreMaxMB.name), help: ArgumentHelp(WorkerOption.resendStoreMaxMB.help)) var resendStoreMaxMB: String?
    @Option(name: .customLong(WorkerOption.warmSpare.name), help: ArgumentHelp(WorkerOption.warmSpare.help)) var warmSpare: String?
    @Option(name: .customLong(WorkerOption.warmSpareMaxAge.name), help: ArgumentHelp(WorkerOption.warmSpareMaxAge.help)) var warmSpareMaxAge: String?
    @Option(name: .customLong(WorkerOption.logLevel.name), help: ArgumentHelp(WorkerOption.logLevel.help)) var logLevel: String?
    @Option(name: .customLong(WorkerOption.logFile.name), help: ArgumentHelp(WorkerOption.logFile.help)) var logFile: String?

    @Flag(help: "Check the configuration, print what is wrong or 'ok', and exit.")
    var checkConfig = false

    /// The values given on the command line, by option.
    var given: [WorkerOption: String] {
        let pairs: [(WorkerOption, String?)] = [
            (.tokenFile, tokenFile), (.claude, claude), (.workdir, workdir), (.stateDir, stateDir), (.agentMap, agentMap),
            (.maxBudgetUSD, maxBudgetUSD), (.timeout, timeout), (.killGrace, killGrace), (.stopTimeout, stopTimeout), (.retryAfter, retryAfter),
            (.maxBodyBytes, maxBodyBytes), (.maxConversationBodyBytes, maxConversationBodyBytes), (.imageMaxBytes, imageMaxBytes),
            (.maxImages, maxImages), (.streaming, streaming), (.streamKeepAlive, streamKeepAlive), (.gitSync, gitSync), (.gitTimeout, gitTimeout), (.defaultAgent, defaultAgent),
            (.jobMaxAgeDays, jobMaxAgeDays), (.jobMaxCount, jobMaxCount), (.responseMaxAgeDays, responseMaxAgeDays),
            (.responseStoreMaxMB, responseStoreMaxMB), (.chatErrors, chatErrors), (.logLevel, logLevel), (.logFile, logFile),
            (.keysFile, keysLocation.keysFile), (.budgetTimeZone, budgetTimeZone), (.spendDir, spendDir), (.queueWait, queueWait), (.queueLength, queueLength),
            (.queuePerCaller, queuePerCaller), (.resendWindow, resendWindow), (.resendGrace, resendGrace),
            (.resendMaxAnswers, resendMaxAnswers), (.resendStoreMaxMB, resendStoreMaxMB),
            (.warmSpare, warmSpare), (.warmSpareMaxAge, warmSpareMaxAge),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { option, value in value.map { (option, $0) } })
    }

    mutating func run() throws {
        let values = OptionValues(given: given, environment: ProcessEnvironment.current())
        let configuration: WorkerConfiguration
        let logger: Logger
        let ledger: FileSpendLedger
        do {
            logger = try Self.startLogging(values)
            configuration = try WorkerConfiguration.resolve(values, currentDirectory: ProcessEnvironment.currentDirectory())
            try ProcessEnvironment.makeDirectory(configuration.run.jobsDirectory)
            try ProcessEnvironment.makeDirectory(configuration.run.responsesDirectory)
            try ProcessEnvironment.makeDirectory(configuration.run.queueDirectory)
            try ProcessEnvironment.makeDirectory(configuration.run.resendDirectory)
            try ProcessEnvironment.makeDirectory(configuration.warm.directory)
            ledger = try FileSpendLedger(settings: configuration.callers)
        } catch {
            StandardError.writeLine("claude-fcgi: \(error)")
            throw ExitCode(2)
        }
        for agent in configuration.missingAgents(environment: values.environment) {
            logger.warning("agent '\(agent)' not found in \(configuration.run.claude.workingDirectory)/.claude/agents or the claude config dir; runs with it will fail")
        }
        if checkConfig {
            if let keysFile = configuration.callers.keysFile {
                do throws(ConfigurationError) {
                    if try KeyRing.check(path: keysFile) == nil { logger.warning("keys file \(keysFile) does not exist: no keys (only the token is accepted)") }
                } catch {
                    StandardError.writeLine("claude-fcgi: \(error)")
                    throw ExitCode(2)
                }
            }
            print("ok")
            return
        }

        let log: @Sendable (String) -> Void = { logger.warning("\($0)") }
        // Before the supervisor is forked: a TERM from now on asks for a graceful stop.
        let stop = StopRequest.install()
        let store = FileJobStore(directory: configuration.run.jobsDirectory)
        let reaper = JobReaper(store: store, maxCount: configuration.jobs.maxCount)
        let spares = configuration.warm.enabled
            ? SpareLink(settings: configuration.warm, claude: configuration.run.claude, agent: configuration.agentMap.fallback, log: log) : nil
        let supervisor = SupervisorLink(stop: stop, stopTimeoutSeconds: configuration.stopTimeoutSeconds, spares: spares, log: log,
                                        collected: reaper.collected)
        let gate = RunGate(lock: FileRunLock(path: configuration.run.lockPath), retryAfterSeconds: configuration.retryAfterSeconds,
                           queue: configuration.queue, line: FileRunQueue(directory: configuration.run.queueDirectory),
                           admission: RunAdmission(ledger: ledger, settings: configuration.callers))
        let execute = ExecuteEndpoint(gate: gate, run: configuration.run, settings: configuration.jobs, store: store,
                                      runner: DetachedJobRunner(store: store, log: log))
        let conversation = ConversationRunner(gate: gate, run: configuration.run, agentMap: configuration.agentMap,
                                              runner: SupervisedChatRunner(link: supervisor),
                                              keepAliveSeconds: configuration.streaming.keepAliveSeconds, images: configuration.images)
        let responseStore = FileResponseStore(
            directory: configuration.run.responsesDirectory, sessions: SessionFiles(environment: configuration.run.claude.environment),
            settings: configuration.responses)
        let responses = ResponsesEndpoint(
            conversation: conversation, store: responseStore,
            background: BackgroundResponses(conversation: conversation, store: responseStore, jobs: store,
                                            runner: DetachedJobRunner(store: store, log: log), settings: configuration.jobs))
        let started = Int64(time(nil))
        let counters = CounterFile(stateDirectory: configuration.run.stateDirectory)
        let service = Service(
            auth: BearerAuth(token: configuration.token),
            keys: configuration.callers.keysFile.map { KeyRing(path: $0, log: log) },
            resend: ResendGuard(store: FileResendStore(directory: configuration.run.resendDirectory, settings: configuration.resend),
                                settings: configuration.resend),
            body: configuration.body,
            chat: ChatEndpoint(conversation: conversation, streaming: configuration.streaming, errorShape: configuration.chatErrors),
            models: ModelsEndpoint(models: ModelList(agentMap: configuration.agentMap), created: started),
            responses: responses,
            messages: MessagesEndpoint(conversation: conversation),
            execute: execute,
            metrics: MetricsEndpoint(counters: counters, lock: ProcLocksProbe(lockPath: configuration.run.lockPath), jobs: execute,
                                     workerStarted: started),
            counters: counters)
        // Bodies and answers can be megabytes (a tenth of a 1 MiB answer's time was page faults).
        ProcessControl.keepFreedMemory()
        // The host's warm spare is started if none is kept: after each run (one spare serves one run), and every
        // few seconds while idle (another worker's may have gone with its worker).
        let loop = FastCGILoop(bodyLimit: service.bodyLimit(forPath:), stop: stop, logger: logger, reapChildren: reaper.reap,
                               afterRun: { spares?.ensure() }, idle: { reaper.reap(); spares?.ensure() })
        guard loop.isStartedByFastCGISpawner else {
            StandardError.writeLine("claude-fcgi: fd 0 is not a listening socket; start it with spawn-fcgi (see README)")
            throw ExitCode(2)
        }
        do {
            try supervisor.start()
        } catch {
            logger.warning("run supervisor: \(error); the first run starts it")
        }
        spares?.ensure()
        logger.info("worker ready", metadata: [
            "pid": "\(getpid())", "supervisor": "\(supervisor.supervisorPID.map(String.init) ?? "-")",
            "state_dir": "\(configuration.run.stateDirectory)"])
        loop.serve { service.handle($0, streamingTo: $1) }
    }

    /// Opens the log file (when one is set) as stderr and starts swift-log with the line handler.
    static func startLogging(_ values: OptionValues) throws(ConfigurationError) -> Logger {
        let level = Logger.Level(rawValue: try values.text(.logLevel) ?? "info") ?? .info
        if let path = try values.text(.logFile) {
            do throws(SystemCallError) {
                let fd = try SystemCall.retrying("cannot open log file \(path)") { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640) }
                try SystemCall.retrying("cannot open log file \(path)") { dup2(fd, 2) }
                close(fd)  // fd 2 is the log now
            } catch {
                throw ConfigurationError(error.description)
            }
        }
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level) }
        return Logger(label: "claude-fcgi")
    }
}

ClaudeFCGI.main()
