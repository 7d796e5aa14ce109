import Glibc
import Testing
@testable import Core

@Suite final class SpareCommandTests {
    let claude = ClaudeSettings(executable: "/opt/claude/bin/claude", workingDirectory: "/srv/work", maxBudgetUSD: "2.00",
                                timeoutSeconds: 900, killGraceSeconds: 5, environment: ["PATH": "/bin", "CLAUDE_CONFIG_DIR": "/srv/config"])
    let scratch = ScratchDirectory("spare-command")

    deinit { rmdir(scratch.path) }

    /// A default chat run of the agent `recruiter`, as a request would plan it.
    func plan(_ change: (inout ClaudeInvocation) -> Void = { _ in }) -> RunPlan {
        var invocation = ClaudeInvocation(requestID: "req-1", model: "gpt-4o", prompt: "Hello", agent: "recruiter")
        change(&invocation)
        return RunPlan(invocation: invocation, claude: claude, gitSync: GitSyncSettings(mode: .off), stateDirectory: "/tmp", kind: .chat)
    }

    func link(enabled: Bool = true) -> SpareLink {
        SpareLink(settings: WarmSpareSettings(enabled: enabled, maxAgeSeconds: 3600, stateDirectory: scratch.path),
                  claude: claude, agent: "recruiter", log: { _ in })
    }

    @Test func theSpareStartsTheStartedAheadCommandLineOfTheDefaultRun() {
        let spec = SpareCommand.spec(settings: claude, agent: "recruiter")
        #expect(spec.arguments == ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
                                   "--include-partial-messages", "--no-session-persistence", "--agent", "recruiter",
                                   "--max-budget-usd", "2.00"])
        #expect(spec.stdin.isEmpty)
        #expect(spec.executable == "/opt/claude/bin/claude")
        #expect(spec.environment == claude.environment.merging(["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"]) { $1 })
        #expect(spec.workingDirectory == "/srv/work")
        #expect(spec.diesWithParent)
    }

    @Test func aPlainStreamedOrImageDefaultChatRunIsTheSparesCommandLine() {
        let spare = SpareCommand.spec(settings: claude, agent: "recruiter")
        let image = ImageSource.url("https://example.com/cat.png")
        for plan in [plan(), plan { $0.streamsText = true }, plan { $0.images = [image] },
                     plan { $0.images = [image]; $0.streamsText = true }] {
            #expect(SpareCommand.spec(of: plan) == spare)
            #expect(link().fits(plan))
        }
    }

    @Test func aRunWithAnotherCommandLineDoesNotFit() {
        let others: [(String, RunPlan)] = [
            ("a json schema", plan { $0.jsonSchema = #"{"type":"object"}"# }),
            ("another agent", plan { $0.agent = "sourcer" }),
            ("no agent", plan { $0.agent = nil }),
            ("an effort", plan { $0.effort = .high }),
            ("a kept session", plan { $0.keptSession = "0b7c3f52-6a1e-4c1d-9a55-6f0a2b3c4d5e" }),
            ("a resumed session", plan { $0.resumesSession = "0b7c3f52-6a1e-4c1d-9a55-6f0a2b3c4d5e" }),
        ]
        let spare = SpareCommand.spec(settings: claude, agent: "recruiter")
        for (what, plan) in others {
            let spec = SpareCommand.spec(of: plan)
            #expect(spec != nil, "\(what)")
            #expect(spec != spare, "\(what)")
            #expect(!link().fits(plan), "\(what)")
        }
    }

    @Test func aBudgetLoweredByACallersCapDoesNotFit() {
        var lowered = plan()
        lowered.claude.maxBudgetUSD = "1.5"
        #expect(SpareCommand.spec(of: lowered)?.arguments.suffix(2) == ["--max-budget-usd", "1.5"])
        #expect(!link().fits(lowered))
        // The same amount written otherwise is another command line too: the budget is compared as written.
        var rewritten = plan()
        rewritten.claude.maxBudgetUSD = "2"
        #expect(!link().fits(rewritten))
    }

    @Test func aJobHasNoStartedAheadCommandLine() {
        var job = plan()
        job.kind = .job(JobRecord(id: "job_1700000000000_abcdefgh", agent: "recruiter", created: "2023-11-14T22:13:20Z"))
        #expect(SpareCommand.spec(of: job) == nil)
        #expect(!link().fits(job))
    }

    @Test func aDisabledSpareFitsNoRun() {
        #expect(link(enabled: true).fits(plan()))
        #expect(!link(enabled: false).fits(plan()))
    }

    @Test func otherRunSettingsDoNotFit() {
        var elsewhere = plan()
        elsewhere.claude.workingDirectory = "/srv/other"
        #expect(!link().fits(elsewhere))
        var otherEnvironment = plan()
        otherEnvironment.claude.environment["CLAUDE_CONFIG_DIR"] = "/srv/other-config"
        #expect(!link().fits(otherEnvironment))
    }

    @Test func theLinkNamesItsFilesInItsDirectory() {
        let link = link()
        #expect(link.settings.lockPath == scratch.path + "/warm/spare.lock")
        #expect(link.settings.socketPath == scratch.path + "/warm/spare.sock")
        #expect(link.spec == SpareCommand.spec(settings: claude, agent: "recruiter"))
    }
}
