/// `git pull --ff-only` in the working directory when it is a checkout with an upstream, under a
/// timeout and the run's scrubbed environment (never prompting for credentials).
public struct GitSync: Sendable {
    public var settings: GitSyncSettings
    let launcher: any ProcessLauncher

    public init(settings: GitSyncSettings, launcher: any ProcessLauncher = PosixProcessLauncher()) {
        self.settings = settings
        self.launcher = launcher
    }

    public func sync(workingDirectory: String, environment: [String: String]) -> GitSyncOutcome {
        guard settings.mode != .off else { return .off }
        var environment = environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        let upstream = git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"], workingDirectory, environment, timeout: 10)
        guard case .success(let result) = upstream, result.termination == .exited(0) else { return .skipped }
        switch git(["pull", "--ff-only", "--quiet"], workingDirectory, environment, timeout: settings.timeoutSeconds) {
        case .failure(let error):
            return .failed(OneLine.clean("\(error)", limit: 200))
        case .success(let result) where result.timedOut:
            return .failed("git pull timed out after \(NumberText.short(settings.timeoutSeconds)) s")
        case .success(let result) where result.termination != .exited(0):
            return .failed(result.failureDetail(subject: "git pull"))
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
