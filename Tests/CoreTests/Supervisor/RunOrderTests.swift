import Testing
@testable import Core

@Suite struct RunOrderTests {
    static func plan(_ invocation: ClaudeInvocation, claude: ClaudeSettings = testRunSettings.claude,
                     gitSync: GitSyncSettings = GitSyncSettings(mode: .off), stateDirectory: String = "/nonexistent-state") -> RunPlan {
        RunPlan(invocation: invocation, claude: claude, gitSync: gitSync, stateDirectory: stateDirectory, kind: .chat)
    }

    static func trip(_ order: RunOrder) throws -> RunOrder? {
        let bytes = try order.encode()
        var frames = Frames.Reader()
        bytes.withUnsafeBytes { frames.feed($0) }
        let frame = try #require(try frames.next()?.get())
        #expect(frames.next() == nil)
        return RunOrder.decode(kind: frame.kind, payload: frame.payload)
    }

    @Test(arguments: [
        ClaudeInvocation(requestID: "r1", model: "gpt-4o", prompt: "System instructions:\nBe brief.\n\n---\n\nRequest:\nhi \u{1F30D}", agent: "triage"),
        ClaudeInvocation(requestID: "", model: "", prompt: "", agent: nil),
        ClaudeInvocation(requestID: "r2", model: "m", prompt: "x", agent: ""),
        ClaudeInvocation(requestID: "r3", model: "m", prompt: "x", agent: nil, jsonSchema: #"{"type":"object"}"#),
        ClaudeInvocation(requestID: "r4", model: "m", prompt: "x", agent: "a", jsonSchema: ""),
        ClaudeInvocation(requestID: "r5", model: "m", prompt: "x", agent: nil, streamsText: true),
    ])
    func anInvocationSurvivesTheTrip(invocation: ClaudeInvocation) throws {
        let order = RunOrder(plan: Self.plan(invocation))
        #expect(try Self.trip(order) == order)
    }

    @Test(arguments: [
        ClaudeSettings(executable: "/opt/claude/bin/claude", workingDirectory: "/srv/repo with space", maxBudgetUSD: "0.25",
                       timeoutSeconds: 12.5, killGraceSeconds: 0.75,
                       environment: ["PATH": "/usr/bin:/bin", "HOME": "/var/lib/claude", "EMPTY": "", "LANG": "C.UTF-8 \u{00E9}=x"]),
        ClaudeSettings(executable: "claude", workingDirectory: "/", maxBudgetUSD: "", timeoutSeconds: 0, killGraceSeconds: 0, environment: [:]),
        ClaudeSettings(executable: "c", workingDirectory: "/w", maxBudgetUSD: "1e3", timeoutSeconds: 86_400, killGraceSeconds: 1e-3,
                       environment: ["A=B": "=", "MULTI": "line one\nline two"]),
    ])
    func theClaudeSettingsSurviveTheTrip(claude: ClaudeSettings) throws {
        let order = RunOrder(plan: Self.plan(ClaudeInvocation(requestID: "r", prompt: "p", agent: nil), claude: claude))
        let decoded = try #require(try Self.trip(order))
        #expect(decoded.plan.claude == claude)
        #expect(decoded.plan.claude.environment == claude.environment)
        #expect(decoded == order)
    }

    @Test(arguments: GitSyncMode.allCases)
    func theGitSyncAndStateDirectorySurviveTheTrip(mode: GitSyncMode) throws {
        let order = RunOrder(plan: Self.plan(ClaudeInvocation(prompt: "p", agent: nil), gitSync: GitSyncSettings(mode: mode, timeoutSeconds: 7.25),
                                             stateDirectory: "/var/lib/claude-fcgi/state"))
        let decoded = try #require(try Self.trip(order))
        #expect(decoded.plan.gitSync == GitSyncSettings(mode: mode, timeoutSeconds: 7.25))
        #expect(decoded.plan.stateDirectory == "/var/lib/claude-fcgi/state")
    }

    @Test func theOrderOfAJobPlanIsAChatRun() throws {
        let record = JobRecord(id: "j", agent: nil, created: "t")
        var plan = Self.plan(ClaudeInvocation(prompt: "p", agent: nil))
        plan.kind = .job(record)
        let order = RunOrder(plan: plan)
        #expect(order.plan.kind == .chat)
        #expect(try Self.trip(order)?.plan.kind == .chat)
    }

    @Test func aCutOrAnOverlongOrderIsNoOrder() throws {
        let bytes = try RunOrder(plan: Self.plan(ClaudeInvocation(requestID: "r", prompt: "prompt", agent: "a"))).encode()
        let payload = bytes[Frames.headerSize...]
        #expect(RunOrder.decode(kind: RunOrder.kind, payload: payload) != nil)
        for cut in [1, 3, 8, payload.count - 1] {
            #expect(RunOrder.decode(kind: RunOrder.kind, payload: payload.dropLast(cut)) == nil, "cut by \(cut)")
        }
        #expect(RunOrder.decode(kind: RunOrder.kind, payload: ArraySlice(Array(payload) + [0])) == nil)
        #expect(RunOrder.decode(kind: 9, payload: payload) == nil)
    }

    @Test func anUnknownGitSyncModeOrARepeatedVariableIsNoOrder() throws {
        let plan = Self.plan(ClaudeInvocation(prompt: "p", agent: nil), claude: ClaudeSettings(
            executable: "c", workingDirectory: "/w", maxBudgetUSD: "1", timeoutSeconds: 1, killGraceSeconds: 1, environment: ["AA": "1", "AB": "2"]))
        let bytes = try RunOrder(plan: plan).encode()
        var payload = Array(bytes[Frames.headerSize...])
        let mode = Array("off".utf8)
        let modeAt = try #require(payload.indices.last { payload[$0...].starts(with: mode) })
        payload[modeAt] = UInt8(ascii: "x")
        #expect(RunOrder.decode(kind: RunOrder.kind, payload: payload[...]) == nil)

        var repeated = Array(bytes[Frames.headerSize...])
        let second = try #require(repeated.indices.first { repeated[$0...].starts(with: Array("AB".utf8)) })
        repeated[second + 1] = UInt8(ascii: "A")
        #expect(RunOrder.decode(kind: RunOrder.kind, payload: repeated[...]) == nil)
    }

    @Test(arguments: [
        ClaudeInvocation(requestID: "r6", model: "m", prompt: "x", agent: nil, effort: .xhigh),
        ClaudeInvocation(requestID: "r7", model: "m", prompt: "x", agent: "a", resumesSession: "0e56a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b", keptSession: "7f00a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b"),
        ClaudeInvocation(requestID: "r8", model: "m", prompt: "x", agent: nil, jsonSchema: "{}", streamsText: true, effort: .low,
                         resumesSession: "s", keptSession: nil),
        ClaudeInvocation(requestID: "r9", model: "m", prompt: "x", agent: nil, keptSession: "k9"),
    ])
    func theSessionAndEffortFieldsSurviveTheTrip(invocation: ClaudeInvocation) throws {
        let order = RunOrder(plan: Self.plan(invocation))
        let decoded = try #require(try Self.trip(order))
        #expect(decoded.plan.invocation.effort == invocation.effort)
        #expect(decoded.plan.invocation.resumesSession == invocation.resumesSession)
        #expect(decoded.plan.invocation.keptSession == invocation.keptSession)
        #expect(decoded == order)
    }

    @Test(arguments: [
        [ImageSource.base64(mediaType: "image/png", data: ImageFixtures.png)],
        [.url("https://example.com/a.png?x=1&y=\u{00E9}")],
        [.base64(mediaType: "image/jpeg", data: ImageFixtures.jpeg), .url("https://x/b.gif"), .base64(mediaType: "image/webp", data: ImageFixtures.webp),
         .url("https://x/b.gif")],
    ])
    func theImagesSurviveTheTripInOrder(images: [ImageSource]) throws {
        let invocation = ClaudeInvocation(requestID: "r10", model: "m", prompt: "Request:\n[image 1]", images: images, agent: "a", streamsText: true)
        let order = RunOrder(plan: Self.plan(invocation))
        let decoded = try #require(try Self.trip(order))
        #expect(decoded.plan.invocation.images == images)
        #expect(decoded.plan.invocation.readsStreamJSON)
        #expect(decoded == order)
    }

    @Test func aLargeImageSurvivesTheTripAndACutOneIsNoOrder() throws {
        let data = String(repeating: "QUJD", count: 350_000)
        let invocation = ClaudeInvocation(requestID: "r11", prompt: "p", images: [.base64(mediaType: "image/gif", data: data)], agent: nil)
        let bytes = try RunOrder(plan: Self.plan(invocation)).encode()
        #expect(bytes.count > 1_400_000)
        #expect(try Self.trip(RunOrder(plan: Self.plan(invocation)))?.plan.invocation.images == [.base64(mediaType: "image/gif", data: data)])
        let payload = bytes[Frames.headerSize...]
        let dataAt = try #require(payload.indices.first { payload[$0...].starts(with: Array("QUJDQUJD".utf8)) })
        #expect(RunOrder.decode(kind: RunOrder.kind, payload: payload[..<(dataAt + 10)]) == nil)
    }

    @Test func aTextOnlyInvocationHasNoImagesAfterTheTrip() throws {
        let decoded = try #require(try Self.trip(RunOrder(plan: Self.plan(ClaudeInvocation(requestID: "r", prompt: "p", agent: nil)))))
        #expect(decoded.plan.invocation.images == [])
        #expect(!decoded.plan.invocation.readsStreamJSON)
    }
}
