/// How the working directory is synced before each run.
public enum GitSyncMode: String, Sendable, CaseIterable {
    /// Never touch the checkout.
    case off
    /// Try; on failure log it and run on the current checkout.
    case bestEffort = "best-effort"
    /// Try; on failure the run fails with "git sync failed: …".
    case required
}

/// What a sync did, for the audit log and the run.
public enum GitSyncOutcome: Equatable, Sendable {
    case off
    /// Not a git checkout, or no upstream to pull from.
    case skipped
    case pulled
    case failed(String)

    /// The word in the audit log.
    public var name: String {
        switch self {
        case .off: "off"
        case .skipped: "skipped"
        case .pulled: "ok"
        case .failed: "failed"
        }
    }
}

/// `git pull --ff-only` in the working directory when it is a checkout with an upstream, under a
/// timeout and the run's scrubbed environment (never prompting for credentials).
public struct GitSync: Sendable {
    public var mode: GitSyncMode
    public var timeoutSeconds: Double
    let launcher: any ProcessLauncher

    public init(mode: GitSyncMode, timeoutSeconds: Double, launcher: any ProcessLauncher = PosixProcessLauncher()) {
        self.mode = mode
        self.timeoutSeconds = timeoutSeconds
        self.launcher = launcher
    }

    public func sync(workingDirectory: String, environment: [String: String]) -> GitSyncOutcome {
        guard mode != .off else { return .off }
        var environment = environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        let upstream = git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"], workingDirectory, environment, timeout: 10)
        guard case .success(let result) = upstream, result.termination == .exited(0) else { return .skipped }
        switch git(["pull", "--ff-only", "--quiet"], workingDirectory, environment, timeout: timeoutSeconds) {
        case .failure(let error):
            return .failed(OneLine.clean("\(error)", limit: 200))
        case .success(let result) where result.timedOut:
            return .failed("git pull timed out after \(NumberText.short(timeoutSeconds)) s")
        case .success(let result) where result.termination != .exited(0):
            return .failed(ClaudeOutputInterpreter.failureDetail(result, subject: "git pull"))
        case .success:
            return .pulled
        }
    }

    private func git(_ arguments: [String], _ directory: String, _ environment: [String: String], timeout: Double) -> Result<ProcessResult, SpawnError> {
        Result { () throws(SpawnError) -> ProcessResult in
            try launcher.run(
                ProcessSpec(executable: "git", arguments: arguments, environment: environment, workingDirectory: directory, stdin: []),
                limits: ProcessLimits(timeoutSeconds: timeout, killGraceSeconds: 2))
        }
    }
}
