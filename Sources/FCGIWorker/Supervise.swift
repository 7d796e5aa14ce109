import ArgumentParser
import Core
import Glibc

/// `claude-fcgi supervise`: the per-run supervisor (see `RunSupervisor`). Started by a worker with
/// the run lock as fd 3 and the prompt on stdin; writes one JSON line with the outcome.
struct Supervise: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "claude-fcgi supervise", abstract: "Internal: supervise one claude run.", shouldDisplay: false)

    @Option var claude: String
    @Option var workdir: String
    @Option var stateDir: String
    @Option(name: .customLong("max-budget-usd")) var maxBudgetUSD: String
    @Option var timeout: Double
    @Option var killGrace: Double
    @Option var requestId: String
    @Option var model: String?
    @Option var agent: String?
    @Option var parentPid: Int32?
    @Option var gitSync: String
    @Option var gitTimeout: Double
    @Option var jobId: String?
    @Option var promptBytes: Int?

    func run() throws {
        guard let gitSyncMode = GitSyncMode(rawValue: gitSync) else { throw ValidationError("unknown git sync mode \(gitSync)") }
        let options = SupervisorOptions(
            settings: ClaudeSettings(
                executable: claude, workingDirectory: workdir, maxBudgetUSD: maxBudgetUSD,
                timeoutSeconds: timeout, killGraceSeconds: killGrace, environment: ProcessEnvironment.current()),
            stateDirectory: stateDir,
            invocation: ClaudeInvocation(requestID: requestId, model: model ?? "", prompt: "", agent: agent),
            gitSyncMode: gitSyncMode, gitTimeoutSeconds: gitTimeout,
            parentPID: parentPid,
            job: jobId.map { SupervisorOptions.Job(id: $0, promptBytes: promptBytes ?? 0) })
        let status = RunSupervisor.run(options) { message in
            let line = Array((message + "\n").utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
        if status != 0 { throw ExitCode(status) }
    }
}
