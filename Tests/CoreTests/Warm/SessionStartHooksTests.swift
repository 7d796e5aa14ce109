import Glibc
import Testing
@testable import Core

/// Which settings files give claude SessionStart hooks (no spare is kept while any does).
@Suite final class SessionStartHooksTests {
    let scratch = ScratchDirectory("session-start-hooks")
    let workspace: String
    let config: String

    init() {
        workspace = scratch.path + "/work"
        config = scratch.path + "/config"
        mkdir(workspace, 0o755)
        mkdir(workspace + "/.claude", 0o755)
        mkdir(config, 0o755)
    }

    deinit { scratch.remove() }

    var spec: ProcessSpec {
        ProcessSpec(executable: "claude", arguments: [], environment: ["CLAUDE_CONFIG_DIR": config], workingDirectory: workspace, stdin: [])
    }

    static let hook = #"{"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "true"}]}]}}"#

    @Test func noSettingsNameNone() {
        #expect(SessionStartHooks.files(for: spec) == [])
    }

    @Test func theWorkspacesAndTheConfigDirectorysSettingsAreRead() {
        writeInPlace(workspace + "/.claude/settings.local.json", Self.hook)
        writeInPlace(config + "/settings.json", Self.hook)
        #expect(SessionStartHooks.files(for: spec) == [config + "/settings.json", workspace + "/.claude/settings.local.json"])
    }

    @Test func otherHooksAnEmptyListOrNoJSONNameNone() {
        writeInPlace(workspace + "/.claude/settings.json", #"{"hooks": {"PreToolUse": [{"hooks": []}], "SessionStart": []}}"#)
        writeInPlace(workspace + "/.claude/settings.local.json", #"{"hooks": {"SessionStart": [ }"#)
        #expect(SessionStartHooks.files(for: spec) == [])
    }
}
