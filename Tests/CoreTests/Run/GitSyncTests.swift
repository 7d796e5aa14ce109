import Testing
@testable import Core

@Suite struct GitSyncTests {
    let launcher = FakeLauncher()

    func sync(_ mode: GitSyncMode) -> GitSyncOutcome {
        GitSync(settings: GitSyncSettings(mode: mode, timeoutSeconds: 7), launcher: launcher)
            .sync(workingDirectory: "/srv/work", environment: ["PATH": "/bin"])
    }

    @Test func offTouchesNothing() {
        #expect(sync(.off) == .off)
        #expect(launcher.started.isEmpty)
    }

    @Test func withoutAnUpstreamItSkips() {
        launcher.answer("git", FakeLauncher.exited(128, stderr: "fatal: no upstream configured"))
        #expect(sync(.required) == .skipped)
        #expect(launcher.started.count == 1)
    }

    @Test func pullsFastForwardOnlyWithoutPrompting() throws {
        launcher.answer("git", FakeLauncher.exited(0), FakeLauncher.exited(0))
        #expect(sync(.bestEffort) == .pulled)
        let pull = try #require(launcher.started.last)
        #expect(pull.arguments == ["pull", "--ff-only", "--quiet"])
        #expect(pull.workingDirectory == "/srv/work")
        #expect(pull.environment["GIT_TERMINAL_PROMPT"] == "0")
    }

    @Test func saysWhyAPullFailed() {
        launcher.answer("git", FakeLauncher.exited(0), .success(ProcessResult(termination: .exited(1), stdout: [], stderr: [], timedOut: true)))
        #expect(sync(.required) == .failed("git pull timed out after 7 s"))
        launcher.answer("git", FakeLauncher.exited(0), .failure(.notFound("git (searched PATH)")))
        #expect(sync(.required) == .failed(#"notFound("git (searched PATH)")"#))
    }
}
