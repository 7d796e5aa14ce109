import FoundationEssentials
import Glibc

/// What a supervisor is told on its command line (see ``arguments``).
public struct SupervisorOptions: Sendable, Equatable {
    /// A detached job: where its record lives, and how long its prompt is (a worker that dies while
    /// handing the prompt over must not start a run on half of it).
    public struct Job: Sendable, Equatable {
        public var id: String
        public var promptBytes: Int

        public init(id: String, promptBytes: Int) {
            self.id = id
            self.promptBytes = promptBytes
        }
    }

    public var settings: ClaudeSettings
    public var stateDirectory: String
    public var invocation: ClaudeInvocation
    public var gitSyncMode: GitSyncMode
    public var gitTimeoutSeconds: Double
    /// The worker that started it, for a chat run; when that process dies the run is stopped.
    public var parentPID: pid_t?
    /// Set for a job of the `/execute` API.
    public var job: Job?
    /// The descriptor carrying the run lock (inherited from the worker).
    public var lockDescriptor: Int32 = 3

    public init(settings: ClaudeSettings, stateDirectory: String, invocation: ClaudeInvocation, gitSyncMode: GitSyncMode = .off,
                gitTimeoutSeconds: Double = 60, parentPID: pid_t? = nil, job: Job? = nil) {
        self.settings = settings
        self.stateDirectory = stateDirectory
        self.invocation = invocation
        self.gitSyncMode = gitSyncMode
        self.gitTimeoutSeconds = gitTimeoutSeconds
        self.parentPID = parentPID
        self.job = job
    }

    /// The `claude-fcgi` arguments that start a supervisor with these options (the prompt goes on
    /// stdin). Values go as `--name=value`, so that none can be read as an option.
    public var arguments: [String] {
        var arguments = [
            "supervise",
            "--claude=\(settings.executable)",
            "--workdir=\(settings.workingDirectory)",
            "--state-dir=\(stateDirectory)",
            "--max-budget-usd=\(settings.maxBudgetUSD)",
            "--timeout=\(settings.timeoutSeconds)",
            "--kill-grace=\(settings.killGraceSeconds)",
            "--git-sync=\(gitSyncMode.rawValue)",
            "--git-timeout=\(gitTimeoutSeconds)",
            "--request-id=\(invocation.requestID)",
        ]
        if !invocation.model.isEmpty { arguments.append("--model=\(invocation.model)") }
        if let agent = invocation.agent { arguments.append("--agent=\(agent)") }
        if let parentPID { arguments.append("--parent-pid=\(parentPID)") }
        if let job { arguments += ["--job-id=\(job.id)", "--prompt-bytes=\(job.promptBytes)"] }
        return arguments
    }

    public var jobStore: FileJobStore { FileJobStore(directory: stateDirectory + "/jobs") }

    /// Reads the options back from ``arguments`` (without the leading `supervise`). A plain parser, not
    /// ArgumentParser: this runs at the start of every claude run, and only a worker writes these.
    public init(arguments: [String], environment: [String: String]) throws(ConfigurationError) {
        var values: [String: String] = [:]
        for argument in arguments {
            guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
                throw ConfigurationError("supervise: '\(argument)' is not --name=value")
            }
            values[String(argument[argument.index(argument.startIndex, offsetBy: 2)..<equals])] = String(argument[argument.index(after: equals)...])
        }
        func required(_ name: String) throws(ConfigurationError) -> String {
            guard let value = values[name] else { throw ConfigurationError("supervise: --\(name) is missing") }
            return value
        }
        func number(_ name: String) throws(ConfigurationError) -> Double {
            let text = try required(name)
            guard let value = Double(text) else { throw ConfigurationError("supervise: --\(name)=\(text) is not a number") }
            return value
        }
        let modeText = try required("git-sync")
        guard let mode = GitSyncMode(rawValue: modeText) else { throw ConfigurationError("supervise: unknown git sync mode \(modeText)") }
        let settings = ClaudeSettings(
            executable: try required("claude"), workingDirectory: try required("workdir"),
            maxBudgetUSD: try required("max-budget-usd"), timeoutSeconds: try number("timeout"),
            killGraceSeconds: try number("kill-grace"), environment: environment)
        var job: Job?
        if let id = values["job-id"] {
            guard let bytes = values["prompt-bytes"].flatMap({ Int($0) }) else { throw ConfigurationError("supervise: --prompt-bytes is missing") }
            job = Job(id: id, promptBytes: bytes)
        }
        self.init(
            settings: settings, stateDirectory: try required("state-dir"),
            invocation: ClaudeInvocation(requestID: try required("request-id"), model: values["model"] ?? "", prompt: "", agent: values["agent"]),
            gitSyncMode: mode, gitTimeoutSeconds: try number("git-timeout"),
            parentPID: values["parent-pid"].flatMap { pid_t($0) }, job: job)
    }
}

/// The per-run supervisor: a small process (the worker's own binary in `supervise` mode) that owns one
/// claude run from start to the last descendant.
///
/// It holds the run lock for the whole run, is the child subreaper of the run (so tool processes
/// that escape into their own sessions come back to it), syncs the working directory with git, stops
/// the run on timeout or on SIGTERM — which it also gets when its worker dies (`PR_SET_PDEATHSIG`, chat
/// runs only: a job outlives its worker) or the job is cancelled — and ends with no process of the run
/// left. It writes the audit line, and reports the outcome as one JSON line on stdout (chat) or in the
/// job's record (jobs).
public enum RunSupervisor {
    /// Runs the supervisor; the prompt is read from stdin to its end. Returns the exit code.
    public static func run(_ options: SupervisorOptions, clock: any WallClock = SystemWallClock(), logError: (String) -> Void) -> Int32 {
        // The lock stays with this process; claude and its tools must not inherit it.
        _ = fcntl(options.lockDescriptor, F_SETFD, FD_CLOEXEC)
        ProcessControl.becomeChildSubreaper()
        let cancel = CancelSignal.install()
        if let parent = options.parentPID {
            ProcessControl.signalOnParentDeath(SIGTERM)
            // The worker may have died before the line above took effect.
            if getppid() != parent { cancel.trigger() }
        }

        var invocation = options.invocation
        let prompt = FileBytes.readAll(0) ?? []
        invocation.prompt = String(decoding: prompt, as: UTF8.self)
        let started = clock.now()
        let startedMonotonic = Monotonic.now()

        var gitSync = GitSyncOutcome.off
        let outcome: ClaudeOutcome
        if let job = options.job, prompt.count != job.promptBytes {
            outcome = .failed(detail: "runner lost: the prompt was cut off at \(prompt.count) of \(job.promptBytes) bytes", report: nil)
        } else {
            gitSync = GitSync(mode: options.gitSyncMode, timeoutSeconds: options.gitTimeoutSeconds)
                .sync(workingDirectory: options.settings.workingDirectory, environment: options.settings.environment)
            if case .failed(let reason) = gitSync {
                logError("supervisor: request \(invocation.requestID): git sync failed: \(reason)")
            }
            if case .failed(let reason) = gitSync, options.gitSyncMode == .required {
                outcome = .failed(detail: OneLine.clean("git sync failed: \(reason)"), report: nil)
            } else {
                outcome = ClaudeProcess(settings: options.settings, dieWithParentWrapper: ProcessControl.ownExecutable())
                    .run(invocation, cancelOn: cancel.descriptor)
            }
        }
        let leftovers = ProcessControl.killAllDescendants()
        if leftovers > 0 {
            logError("supervisor: request \(invocation.requestID): killed \(leftovers) process(es) left behind by the run")
        }

        var record = AuditRecord(started: started, durationSeconds: Monotonic.now() - startedMonotonic, invocation: invocation, outcome: outcome)
        record.git_sync = gitSync.name
        if !AuditLog(stateDirectory: options.stateDirectory).append(record) {
            logError("supervisor: cannot append to the audit log in \(options.stateDirectory): \(SystemError.describe(errno))")
        }
        if let job = options.job {
            let store = options.jobStore
            var jobRecord = store.read(job.id) ?? JobRecord(id: job.id, agent: invocation.agent, created: clock.rfc3339())
            jobRecord.finish(outcome, at: clock.rfc3339())
            do {
                try store.write(jobRecord)
            } catch {
                logError("supervisor: job \(job.id): \(error.message.detail ?? error.message.error)")
                return 1
            }
        } else {
            let line = SupervisorReport(outcome).line
            _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        }
        return 0
    }
}

/// SIGTERM, SIGINT and SIGHUP turned into a readable pipe, so the run's poll loop sees them.
struct CancelSignal {
    let descriptor: Int32

    nonisolated(unsafe) private static var writeEnd: Int32 = -1

    static func install() -> CancelSignal {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return CancelSignal(descriptor: -1) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        writeEnd = fds[1]
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
            signal(signalNumber) { _ in
                var byte: UInt8 = 1
                _ = write(CancelSignal.writeEnd, &byte, 1)
            }
        }
        return CancelSignal(descriptor: fds[0])
    }

    func trigger() {
        var byte: UInt8 = 1
        _ = write(CancelSignal.writeEnd, &byte, 1)
    }
}
