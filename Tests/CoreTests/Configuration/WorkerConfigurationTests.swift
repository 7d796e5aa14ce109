import Glibc
import Testing
@testable import Core

@Suite struct WorkerConfigurationTests {
    func resolve(_ given: [WorkerOption: String], _ environment: [String: String]) throws(ConfigurationError) -> WorkerConfiguration {
        try WorkerConfiguration.resolve(OptionValues(given: given, environment: environment), currentDirectory: "/tmp")
    }

    func resolve(_ environment: [String: String]) throws(ConfigurationError) -> WorkerConfiguration {
        try resolve([:], environment)
    }

    func tokenFile(mode: mode_t, contents: String = "file-token\n") -> String {
        let path = "/tmp/claude-fcgi-token-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = Array(contents.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        chmod(path, mode)
        return path
    }

    @Test func hugeAgesInDaysAreCappedNotATrap() throws {
        let configuration = try resolve([.jobMaxAgeDays: "1e300", .responseMaxAgeDays: "1e300"], ["CLAUDE_FCGI_TOKEN": "t"])
        #expect(configuration.jobs.maxAgeSeconds == 365_000_000 * 86_400)
        #expect(configuration.responses.maxAgeSeconds == 365_000_000 * 86_400)
        #expect(try resolve([.responseMaxAgeDays: "0.5"], ["CLAUDE_FCGI_TOKEN": "t"]).responses.maxAgeSeconds == 43_200)
    }

    @Test func defaults() throws {
        let configuration = try resolve(["CLAUDE_FCGI_TOKEN": "t", "HOME": "/root"])
        #expect(configuration.token == "t")
        #expect(configuration.retryAfterSeconds == 10)
        #expect(configuration.body.maxBodyBytes == 4 << 20)
        #expect(configuration.agentMap.agent(forModel: "anything") == "recruiter-triage")
        #expect(configuration.run.claude.executable == "claude")
        #expect(configuration.run.claude.maxBudgetUSD == "2.00")
        #expect(configuration.run.claude.timeoutSeconds == 900)
        #expect(configuration.run.claude.killGraceSeconds == 5)
        #expect(configuration.run.claude.workingDirectory == "/tmp")
        #expect(configuration.run.gitSync == GitSyncSettings(mode: .bestEffort, timeoutSeconds: 60))
        #expect(configuration.run.stateDirectory == "/var/lib/claude-fcgi")
        #expect(configuration.run.lockPath == "/var/lib/claude-fcgi/run.lock")
        #expect(configuration.jobs.caps == JobCaps(maxBudgetUSD: 2, timeoutSeconds: 900))
        #expect(configuration.jobs.defaultAgent == "recruiter-triage")
        #expect(configuration.jobs.maxAgeSeconds == 30 * 86_400)
        #expect(configuration.jobs.maxCount == 10_000)
    }

    @Test func optionsWinOverTheEnvironment() throws {
        let configuration = try resolve(
            [.claude: "bin/claude", .workdir: "/", .stateDir: "state", .maxBudgetUSD: "0.5", .timeout: "30", .retryAfter: "3"],
            ["CLAUDE_FCGI_TOKEN": "t", "CLAUDE_FCGI_TIMEOUT": "60", "CLAUDE_FCGI_CLAUDE": "/x", "CLAUDE_FCGI_KILL_GRACE": "2",
             "CLAUDE_FCGI_GIT_SYNC": "required"])
        #expect(configuration.run.claude.executable == "/tmp/bin/claude")
        #expect(configuration.run.claude.workingDirectory == "/")
        #expect(configuration.run.stateDirectory == "/tmp/state")
        #expect(configuration.run.claude.maxBudgetUSD == "0.5")
        #expect(configuration.run.claude.timeoutSeconds == 30)
        #expect(configuration.run.claude.killGraceSeconds == 2)
        #expect(configuration.run.gitSync.mode == .required)
        #expect(configuration.retryAfterSeconds == 3)
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
        #expect(try resolve([.tokenFile: good], ["CLAUDE_FCGI_TOKEN": "env-token"]).token == "file-token")
        let open = tokenFile(mode: 0o644)
        defer { unlink(open) }
        #expect(throws: ConfigurationError("token file \(open) is readable by others (mode 644); chmod 600 it")) {
            try resolve([.tokenFile: open], [:])
        }
        #expect(throws: ConfigurationError.self) { try resolve([.tokenFile: "/nonexistent/token"], [:]) }
    }

    @Test(arguments: [
        [WorkerOption.maxBudgetUSD: "0"], [.maxBudgetUSD: "lots"], [.timeout: "-1"], [.killGrace: "0"],
        [.retryAfter: "0"], [.retryAfter: "121"], [.maxBodyBytes: "x"], [.workdir: "/nonexistent"],
        [.agentMap: "nomapping"], [.agentMap: "m=--evil"], [.gitSync: "sometimes"], [.defaultAgent: "a b"],
        [.jobMaxCount: "0"], [.logLevel: "loud"],
    ])
    func refusesBadValues(given: [WorkerOption: String]) {
        #expect(throws: ConfigurationError.self) { try resolve(given, ["CLAUDE_FCGI_TOKEN": "t"]) }
    }

    @Test func aBadValueIsNamedWithItsOption() {
        #expect(throws: ConfigurationError("--retry-after '121' must be a whole number from 1 to 120")) {
            try resolve(["CLAUDE_FCGI_TOKEN": "t", "CLAUDE_FCGI_RETRY_AFTER": "121"])
        }
    }

    @Test func childEnvironmentIsScrubbed() throws {
        let configuration = try resolve([
            "CLAUDE_FCGI_TOKEN": "tok-123", "PATH": "/bin", "HOME": "/root", "ANTHROPIC_API_KEY": "k",
            "CLAUDE_CODE_OAUTH_TOKEN": "o", "LC_ALL": "C", "AWS_SECRET_ACCESS_KEY": "no", "LD_PRELOAD": "/evil.so",
            "CLAUDE_FCGI_STATE_DIR": "/x", "HTTP_AUTHORIZATION": "Bearer tok-123", "LANG": "tok-123",
        ])
        #expect(configuration.run.claude.environment == [
            "PATH": "/bin", "HOME": "/root", "ANTHROPIC_API_KEY": "k", "CLAUDE_CODE_OAUTH_TOKEN": "o", "LC_ALL": "C",
        ])
    }

    @Test func reportsMissingAgents() throws {
        let configuration = try resolve([.workdir: "/", .agentMap: "a=,b=recruiter-triage,*=other"], ["CLAUDE_FCGI_TOKEN": "t"])
        #expect(configuration.missingAgents(environment: ["HOME": "/nonexistent"]) == ["other", "recruiter-triage"])
    }
}
