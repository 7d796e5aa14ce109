import Glibc
import Testing
@testable import Core

/// A workspace, a config directory and an executable in a scratch directory, and what a spare started
/// with them would be compared by.
@Suite final class SpareFingerprintTests {
    let scratch = ScratchDirectory("spare-fingerprint")
    let workspace: String
    let config: String
    let executable: String

    init() {
        workspace = scratch.path + "/work"
        config = scratch.path + "/config"
        mkdir(workspace, 0o755)
        mkdir(workspace + "/.claude", 0o755)
        mkdir(workspace + "/.claude/agents", 0o755)
        mkdir(config, 0o755)
        mkdir(config + "/agents", 0o755)
        executable = scratch.script("claude", "exit 0")
        writeInPlace(workspace + "/CLAUDE.md", "# Rules\n")
        writeInPlace(workspace + "/.claude/agents/recruiter.md", "recruiter\n")
        writeInPlace(config + "/agents/sourcer.md", "sourcer\n")
    }

    deinit { scratch.remove() }

    var spec: ProcessSpec {
        SpareCommand.spec(settings: ClaudeSettings(executable: executable, workingDirectory: workspace, maxBudgetUSD: "2.00", timeoutSeconds: 900,
                                                   killGraceSeconds: 5, environment: ["PATH": "/usr/bin:/bin", "CLAUDE_CONFIG_DIR": config]),
                          agent: "recruiter")
    }

    /// What changed, as the spare would log it, after `body`.
    func change(after body: () -> Void) -> String? {
        let before = SpareFingerprint.take(spec)
        body()
        return before.change(to: SpareFingerprint.take(spec))
    }

    /// Runs a command in the workspace; true when it exits 0.
    @discardableResult
    func sh(_ script: String) -> Bool {
        let result = try? PosixProcessLauncher().run(
            ProcessSpec(executable: "/bin/sh", arguments: ["-c", script],
                        environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path, "GIT_CONFIG_NOSYSTEM": "1",
                                      "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                                      "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"],
                        workingDirectory: workspace, stdin: []),
            limits: ProcessLimits(timeoutSeconds: 30))
        return result?.termination == .exited(0)
    }

    @Test func nothingChangedIsNoChange() {
        let first = SpareFingerprint.take(spec)
        let second = SpareFingerprint.take(spec)
        #expect(first == second)
        #expect(first.change(to: second) == nil)
        #expect(first.executable == executable)
        #expect(first.isExecutable)
    }

    @Test func rewritingClaudeMDIsAChange() {
        #expect(change { writeInPlace(workspace + "/CLAUDE.md", "# Rules, longer now\n") } == workspace + "/CLAUDE.md")
    }

    @Test func creatingTheWorkspaceSettingsIsAChange() {
        #expect(change { writeInPlace(workspace + "/.claude/settings.json", "{}") } == workspace + "/.claude/settings.json")
    }

    @Test func removingAFileIsAChange() {
        #expect(change { unlink(workspace + "/CLAUDE.md") } == workspace + "/CLAUDE.md")
    }

    @Test func anAgentAddedToTheWorkspaceIsAChange() {
        let change = change { writeInPlace(workspace + "/.claude/agents/sourcer.md", "sourcer\n") }
        #expect(change?.hasPrefix(workspace + "/.claude/agents") == true, "\(change ?? "nil")")
    }

    @Test func anAgentRewrittenInTheConfigDirectoryIsAChange() {
        #expect(change { writeInPlace(config + "/agents/sourcer.md", "sourcer, rewritten\n") } == config + "/agents/sourcer.md")
    }

    @Test func theConfigDirectorysSettingsAreWatched() {
        #expect(change { writeInPlace(config + "/settings.json", "{}") } == config + "/settings.json")
    }

    @Test func anExecutableNoLongerExecutableIsAChange() {
        let change = change { chmod(executable, 0o644) }
        #expect(change?.hasPrefix("the claude executable") == true, "\(change ?? "nil")")
        #expect(change?.contains(executable) == true, "\(change ?? "nil")")
    }

    @Test func anExecutableReplacedByRenameIsAChange() {
        let change = change {
            let replacement = scratch.script("claude.new", "exit 0")
            rename(replacement, executable)
        }
        #expect(change == executable)
    }

    @Test func anExecutableFoundElsewhereOnThePathIsAChange() {
        let bin = scratch.path + "/bin"
        mkdir(bin, 0o755)
        var settings = ClaudeSettings(executable: "claude", workingDirectory: workspace, maxBudgetUSD: "2.00", timeoutSeconds: 900,
                                      killGraceSeconds: 5, environment: ["PATH": "\(bin):\(scratch.path)"])
        settings.environment["CLAUDE_CONFIG_DIR"] = config
        let byName = SpareCommand.spec(settings: settings, agent: nil)
        let before = SpareFingerprint.take(byName)
        #expect(before.executable == executable)
        let earlier = bin + "/claude"
        writeInPlace(earlier, "#!/bin/sh\n")
        chmod(earlier, 0o755)
        let change = before.change(to: SpareFingerprint.take(byName))
        #expect(change?.contains(earlier) == true, "\(change ?? "nil")")
    }

    @Test func aNewCommitIsAChange() {
        guard sh("git init -q . && git commit -q --allow-empty -m one") else {
            Issue.record("git init or commit failed")
            return
        }
        let before = SpareFingerprint.take(spec)
        #expect(before.change(to: SpareFingerprint.take(spec)) == nil)
        #expect(sh("git commit -q --allow-empty -m two"))
        let change = before.change(to: SpareFingerprint.take(spec))
        #expect(change?.hasPrefix(workspace + "/.git/") == true, "\(change ?? "nil")")
        #expect(change.map { $0.contains("refs/heads/") || $0.hasSuffix("/HEAD") } == true, "\(change ?? "nil")")
    }

    @Test func aCheckoutOfAnotherBranchIsAChange() {
        guard sh("git init -q . && git commit -q --allow-empty -m one && git branch other") else {
            Issue.record("git init, commit or branch failed")
            return
        }
        #expect(change { sh("git checkout -q other") } == workspace + "/.git/HEAD")
    }

    @Test func theOtherFilesClaudeReadsAtStartAreWatched() {
        for name in ["CLAUDE.local.md", ".mcp.json", ".claude/CLAUDE.md", ".claude/settings.local.json"] {
            #expect(change { writeInPlace(workspace + "/" + name, "x") } == workspace + "/" + name, "\(name)")
        }
        #expect(change { writeInPlace(config + "/CLAUDE.md", "x") } == config + "/CLAUDE.md")
    }

    @Test func filesClaudeDoesNotReadAreNoChange() {
        #expect(change {
            writeInPlace(workspace + "/README.md", "x")
            writeInPlace(workspace + "/.claude/notes.md", "x")
            writeInPlace(config + "/history.jsonl", "x")
        } == nil)
    }

    @Test func withoutAConfigDirectoryHomesClaudeDirectoryIsWatched() {
        let home = scratch.path + "/home"
        mkdir(home, 0o755)
        mkdir(home + "/.claude", 0o755)
        let spec = SpareCommand.spec(settings: ClaudeSettings(executable: executable, workingDirectory: workspace, maxBudgetUSD: "2.00",
                                                              timeoutSeconds: 900, killGraceSeconds: 5, environment: ["PATH": "/bin", "HOME": home]),
                                     agent: nil)
        let before = SpareFingerprint.take(spec)
        writeInPlace(home + "/.claude/settings.json", "{}")
        #expect(before.change(to: SpareFingerprint.take(spec)) == home + "/.claude/settings.json")
    }

    @Test
    func aNewCommitInALinkedWorktreeIsAChange() {
        let main = scratch.path + "/main"
        mkdir(main, 0o755)
        guard sh("cd \(main) && git init -q . && git commit -q --allow-empty -m one && git worktree add -q -b spare \(workspace)/tree") else {
            Issue.record("git init, commit or worktree add failed")
            return
        }
        var tree = spec
        tree.workingDirectory = workspace + "/tree"
        let before = SpareFingerprint.take(tree)
        #expect(before.change(to: SpareFingerprint.take(tree)) == nil)
        #expect(sh("cd tree && git commit -q --allow-empty -m two"))
        let change = before.change(to: SpareFingerprint.take(tree))
        #expect(change != nil, "HEAD of the worktree moved")
    }

    @Test func aCheckoutInALinkedWorktreeIsAChange() {
        let main = scratch.path + "/main"
        mkdir(main, 0o755)
        guard sh("cd \(main) && git init -q . && git commit -q --allow-empty -m one && git branch other && git worktree add -q -b spare \(workspace)/tree") else {
            Issue.record("git init, commit or worktree add failed")
            return
        }
        var tree = spec
        tree.workingDirectory = workspace + "/tree"
        let before = SpareFingerprint.take(tree)
        #expect(sh("cd tree && git checkout -q other"))
        #expect(before.change(to: SpareFingerprint.take(tree))?.hasSuffix("/HEAD") == true)
    }

    @Test func aClaudeMdAboveTheWorkspaceIsAChange() {
        // The scratch directory is the workspace's parent: the CLI reads the CLAUDE.md files up to /.
        #expect(change { writeInPlace(scratch.path + "/CLAUDE.md", "# Above\n") } == scratch.path + "/CLAUDE.md")
    }

    @Test func aSkillTwoLevelsDownIsAChange() {
        mkdir(workspace + "/.claude/skills", 0o755)
        mkdir(workspace + "/.claude/skills/triage", 0o755)
        let added = change { writeInPlace(workspace + "/.claude/skills/triage/SKILL.md", "triage\n") }
        #expect(added == workspace + "/.claude/skills/triage", "the skill's directory, whose entries changed")
        #expect(change { writeInPlace(workspace + "/.claude/skills/triage/SKILL.md", "triage, now longer\n") } == workspace + "/.claude/skills/triage/SKILL.md")
    }

    @Test func aRunThatWentByIsAChange() {
        let audit = scratch.path + "/audit.log"
        writeInPlace(audit, "{}\n")
        let before = SpareFingerprint.take(spec, alsoWatching: [audit])
        #expect(before.change(to: SpareFingerprint.take(spec, alsoWatching: [audit])) == nil)
        let fd = open(audit, O_WRONLY | O_APPEND)
        _ = write(fd, "{}\n", 3)
        close(fd)
        #expect(before.change(to: SpareFingerprint.take(spec, alsoWatching: [audit])) == audit)
    }

    @Test func anIndexChangeIsAChange() {
        #expect(sh("git init -q . && git add CLAUDE.md && git commit -qm one"))
        #expect(change { sh("echo more > notes.txt && git add notes.txt") } == workspace + "/.git/index")
    }

    @Test func theDatesAreUTCsAndTheZonesSeen() {
        let dates = SpareFingerprint.dates(zone: ":UTC")
        #expect(dates.count == 2 && dates[0] == dates[1] && dates[0].count == 10, "\(dates)")
        #expect(SpareFingerprint.dates(zone: "No/Such_Zone")[1] == "", "a zone the tz database does not know is left out")
    }

    @Test func theAncestorsOfAPathAreEachDirectoryAboveIt() {
        #expect(SpareFingerprint.ancestors(of: "/var/lib/claude-fcgi/work") == ["/var/lib/claude-fcgi", "/var/lib", "/var", "/"])
        #expect(SpareFingerprint.ancestors(of: "/") == [])
    }
}
