import Testing
@testable import Core

@Suite struct ChildEnvironmentTests {
    @Test func passesTheAllowListAndNeverTheToken() {
        let child = ChildEnvironment.scrubbed(
            ["HOME": "/h", "ANTHROPIC_BASE_URL": "http://x", "CLAUDE_FCGI_TOKEN": "s3cret", "SECRET": "s3cret", "LANG": "s3cret-ish",
             "LD_PRELOAD": "/evil.so"],
            token: "s3cret")
        #expect(child == ["HOME": "/h", "ANTHROPIC_BASE_URL": "http://x", "PATH": ChildEnvironment.fallbackPath])
    }
}
