import Glibc
import Testing
@testable import Core

@Suite struct WorkerConfigurationTests {
    func resolve(_ options: RawOptions, _ environment: [String: String]) throws(ConfigurationError) -> WorkerConfiguration {
        try WorkerConfiguration.resolve(options, environment: environment, currentDirectory: "/tmp")
    }

    func resolve(_ environment: [String: String]) throws(ConfigurationError) -> WorkerConfiguration {
        try resolve(RawOptions(), environment)
    }

    func tokenFile(mode: mode_t, contents: String = "file-token\n") -> String {
        let path = "/tmp/claude-fcgi-token-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = Array(contents.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        chmod(path, mode)
        return path
    }

    @Test func defaults() throws {
        let configuration = try resolve(["CLAUDE_FCGI_TOKEN": "t", "HOME": "/root"])
        #expect(configuration.service.token == "t")
        #expect(configuration.service.retryAfterSeconds == 10)
        #expect(configuration.service.agentMap.agent(forModel: "anything") == "recruiter-triage")
        #expect(configuration.claude.executable == "claude")
        #expect(configuration.claude.maxBudgetUSD == "2.00")
        #expect(configuration.claude.timeoutSeconds == 900)
        #expect(configuration.claude.killGraceSeconds == 5)
        #expect(configuration.claude.workingDirectory == "/tmp")
        #expect(configuration.stateDirectory == "/var/lib/claude-fcgi")
        #expect(configuration.lockPath == "/var/lib/claude-fcgi/run.lock")
    }

    @Test func optionsWinOverTheEnvironment() throws {
        let configuration = try resolve(
            RawOptions(claude: "bin/claude", workdir: "/", stateDir: "state", maxBudgetUSD: "0.5", timeout: "30", retryAfter: "3"),
            ["CLAUDE_FCGI_TOKEN": "t", "CLAUDE_FCGI_TIMEOUT": "60", "CLAUDE_FCGI_CLAUDE": "/x", "CLAUDE_FCGI_KILL_GRACE": "2"])
        #expect(configuration.claude.executable == "/tmp/bin/claude")
        #expect(configuration.claude.workingDirectory == "/")
        #expect(configuration.stateDirectory == "/tmp/state")
        #expect(configuration.claude.maxBudgetUSD == "0.5")
        #expect(configuration.claude.timeoutSeconds == 30)
        #expect(configuration.claude.killGraceSeconds == 2)
        #expect(configuration.service.retryAfterSeconds == 3)
    }

    @Test func failsClosedWithoutAToken() {
        #expect(throws: ConfigurationError("no token configured: set CLAUDE_FCGI_TOKEN or --token-file (refusing to serve without auth)")) {
            try resolve([:])
        }
        #expect(throws: ConfigurationError.self) { try resolve(["CLAUDE_FCGI_TOKEN": "  "]) }
    }

    @Test func readsAPrivateTokenFileAndRefusesAWorldReadableOne() throws {
        let good = tokenFile(mode: 0o600)
        defer { unlink(good) }
        #expect(try resolve(RawOptions(tokenFile: good), ["CLAUDE_FCGI_TOKEN": "env-token"]).service.token == "file-token")
        let open = tokenFile(mode: 0o644)
        defer { unlink(open) }
        #expect(throws: ConfigurationError("token file \(open) is readable by others (mode 644); chmod 600 it")) {
            try resolve(RawOptions(tokenFile: open), [:])
        }
        #expect(throws: ConfigurationError.self) { try resolve(RawOptions(tokenFile: "/nonexistent/token"), [:]) }
    }

    @Test(arguments: [
        RawOptions(maxBudgetUSD: "0"), RawOptions(maxBudgetUSD: "lots"), RawOptions(timeout: "-1"), RawOptions(killGrace: "0"),
        RawOptions(retryAfter: "0"), RawOptions(retryAfter: "121"), RawOptions(maxBodyBytes: "x"), RawOptions(workdir: "/nonexistent"),
        RawOptions(agentMap: "nomapping"), RawOptions(agentMap: "m=--evil"),
    ])
    func refusesBadValues(options: RawOptions) {
        #expect(throws: ConfigurationError.self) { try resolve(options, ["CLAUDE_FCGI_TOKEN": "t"]) }
    }

    @Test func childEnvironmentIsScrubbed() throws {
        let configuration = try resolve([
            "CLAUDE_FCGI_TOKEN": "tok-123", "PATH": "/bin", "HOME": "/root", "ANTHROPIC_API_KEY": "k",
            "CLAUDE_CODE_OAUTH_TOKEN": "o", "LC_ALL": "C", "AWS_SECRET_ACCESS_KEY": "no", "LD_PRELOAD": "/evil.so",
            "CLAUDE_FCGI_STATE_DIR": "/x", "HTTP_AUTHORIZATION": "Bearer tok-123", "LANG": "tok-123",
        ])
        #expect(configuration.claude.environment == [
            "PATH": "/bin", "HOME": "/root", "ANTHROPIC_API_KEY": "k", "CLAUDE_CODE_OAUTH_TOKEN": "o", "LC_ALL": "C",
        ])
    }

    @Test func reportsMissingAgents() throws {
        let configuration = try resolve(RawOptions(workdir: "/", agentMap: "a=,b=recruiter-triage,*=other"), ["CLAUDE_FCGI_TOKEN": "t"])
        #expect(configuration.missingAgents(environment: ["HOME": "/nonexistent"]) == ["other", "recruiter-triage"])
    }
}

@Suite struct AgentMapTests {
    @Test func parsesExactFallbackAndNoAgent() throws {
        let map = try AgentMap(spec: "gpt-4o = recruiter-triage, plain=, *=default-agent")
        #expect(map.agent(forModel: "gpt-4o") == "recruiter-triage")
        #expect(map.agent(forModel: "plain") == nil)
        #expect(map.agent(forModel: "other") == "default-agent")
        #expect(map.agents == ["default-agent", "recruiter-triage"])
    }

    @Test func withoutAFallbackOtherModelsGetNoAgent() throws {
        #expect(try AgentMap(spec: "a=b").agent(forModel: "z") == nil)
    }

    @Test func defaultMapSendsEveryModelToRecruiterTriage() throws {
        #expect(try AgentMap(spec: AgentMap.defaultSpec).agent(forModel: "gpt-4o-mini") == "recruiter-triage")
    }
}

@Suite struct SupervisorOptionsTests {
    let settings = ClaudeSettings(executable: "/usr/bin/claude", workingDirectory: "/srv/work", maxBudgetUSD: "1.5",
                                  timeoutSeconds: 600, killGraceSeconds: 5, environment: ["PATH": "/bin"])

    @Test func argumentsReadBackToTheSameOptions() throws {
        for options in [
            SupervisorOptions(settings: settings, stateDirectory: "/var/lib/x", invocation: ClaudeInvocation(
                requestID: "r1", model: "--model=x", prompt: "", agent: "recruiter-triage"),
                gitSyncMode: .required, gitTimeoutSeconds: 30, parentPID: 42),
            SupervisorOptions(settings: settings, stateDirectory: "/var/lib/x", invocation: ClaudeInvocation(
                requestID: "job_1795904120787_wl7wYsBr", model: "", prompt: "", agent: nil),
                gitSyncMode: .off, job: .init(id: "job_1795904120787_wl7wYsBr", promptBytes: 12)),
        ] {
            #expect(try SupervisorOptions(arguments: Array(options.arguments.dropFirst()), environment: ["PATH": "/bin"]) == options)
        }
    }

    @Test func refusesWhatAWorkerWouldNotWrite() {
        #expect(throws: ConfigurationError.self) { try SupervisorOptions(arguments: ["--claude"], environment: [:]) }
        #expect(throws: ConfigurationError.self) { try SupervisorOptions(arguments: ["--claude=/x"], environment: [:]) }
    }
}
