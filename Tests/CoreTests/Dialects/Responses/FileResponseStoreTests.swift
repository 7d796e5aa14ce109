import Glibc
import Testing
@testable import Core

@Suite struct FileResponseStoreTests {
    let root: String
    let directory: String
    let sessions: SessionFiles

    init() {
        root = "/tmp/claude-fcgi-responses-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        mkdir(root, 0o700)
        mkdir(root + "/projects", 0o700)
        mkdir(root + "/projects/-srv-work", 0o700)
        directory = root + "/responses"
        sessions = SessionFiles(projectsDirectory: root + "/projects")
    }

    func store(maxAgeSeconds: Int64 = 86_400, maxBytes: Int64 = 1 << 30) -> FileResponseStore {
        FileResponseStore(directory: directory, sessions: sessions, settings: ResponseStoreSettings(maxAgeSeconds: maxAgeSeconds, maxBytes: maxBytes),
                          clock: FixedClock())
    }

    func cleanUp() {
        for folder in [directory, root + "/projects/-srv-work"] {
            for name in FileBytes.names(inDirectory: folder) { unlink("\(folder)/\(name)") }
            rmdir(folder)
        }
        rmdir(root + "/projects")
        rmdir(root)
    }

    /// A session transcript of `bytes` bytes.
    func session(_ id: String, bytes: Int) throws {
        try AtomicFile.write(Array(repeating: UInt8(ascii: "x"), count: bytes), to: "\(root)/projects/-srv-work/\(id).jsonl", what: "session")
    }

    func hasSession(_ id: String) -> Bool { sessions.path(of: id) != nil }

    /// Makes the next write prune, as if the last pruning were a minute ago.
    func pruningIsDue() { unlink(directory + "/.pruned") }

    /// A record created `age` seconds before the fixed clock's now.
    func record(_ id: String, age: Int64, session: String = "none") -> StoredResponse {
        StoredResponse(id: id, created_at: 1_700_000_000 - age, session_id: session, calls: [ToolCall(id: "call_1", name: "f", arguments: "{}")],
                       response: #"{"id":"\#(id)"}"#, job_id: nil, reading: nil)
    }

    @Test func writesReadsAndDeletes() throws {
        defer { cleanUp() }
        let store = store()
        try session("sess-1", bytes: 10)
        let written = StoredResponse(id: "resp_a", created_at: 1_700_000_000, session_id: "sess-1",
                                     calls: [ToolCall(id: "call_1", name: "ns.f", arguments: #"{"b":1,"a":2}"#)],
                                     response: #"{"id":"resp_a","status":"completed"}"#, job_id: "job_1700000000000_abcdefgh", reading: "tool_calls")
        try store.write(written)
        #expect(FileBytes.isDirectory(directory), "made on first use")
        #expect(try store.read("resp_a") == written)
        #expect(try store.read("resp_b") == nil)
        #expect(try store.read("../responses/resp_a") == nil)
        #expect(store.delete("resp_a"))
        #expect(!hasSession("sess-1"), "its session goes with it")
        #expect(try store.read("resp_a") == nil)
        #expect(!store.delete("resp_a"))
        #expect(!store.delete("not-an-id"))
    }

    @Test func aRecordACrashLeftEmptyReadsAsNone() throws {
        defer { cleanUp() }
        try store().write(record("resp_ok", age: 0))
        try AtomicFile.write([], to: directory + "/resp_empty.json", what: "test")
        #expect(try store().read("resp_empty") == nil)
    }

    @Test func aRecordThatCannotBeReadThrows() throws {
        defer { cleanUp() }
        try store().write(record("resp_ok", age: 0))
        try AtomicFile.write(Array("not json".utf8), to: directory + "/resp_bad.json", what: "test")
        #expect(throws: ResponseStoreError.self) { try store().read("resp_bad") }
    }

    @Test func oldRecordsAndTheirSessionsArePruned() throws {
        defer { cleanUp() }
        let store = store(maxAgeSeconds: 100)
        try session("sess-old", bytes: 5)
        try session("sess-new", bytes: 5)
        // Written just now, the old one stays: the record just written is never pruned.
        try store.write(record("resp_old", age: 200, session: "sess-old"))
        #expect(try store.read("resp_old") != nil)
        // Within the minute of that pruning, a write prunes nothing.
        try store.write(record("resp_mid", age: 10))
        #expect(try store.read("resp_old") != nil)
        pruningIsDue()
        try store.write(record("resp_new", age: 10, session: "sess-new"))
        #expect(try store.read("resp_old") == nil)
        #expect(!hasSession("sess-old"))
        #expect(try store.read("resp_new") != nil)
        #expect(hasSession("sess-new"))
    }

    @Test func theOldestGoUntilRecordsAndSessionsFit() throws {
        defer { cleanUp() }
        let store = store(maxBytes: 2_500)
        for (index, id) in ["a", "b", "c"].enumerated() {
            try session("sess-\(id)", bytes: 1_000)
            pruningIsDue()
            try store.write(record("resp_\(id)", age: Int64(30 - index * 10), session: "sess-\(id)"))
        }
        // Each record is 1000 bytes of session and its JSON: three do not fit in 2500, two do.
        #expect(try store.read("resp_a") == nil)
        #expect(!hasSession("sess-a"))
        #expect(try store.read("resp_b") != nil)
        #expect(try store.read("resp_c") != nil)
        #expect(hasSession("sess-b") && hasSession("sess-c"))
    }

    @Test func theKeptRecordStaysWhateverItsSizeOrAge() throws {
        defer { cleanUp() }
        try session("sess-big", bytes: 5_000)
        let store = store(maxAgeSeconds: 1, maxBytes: 100)
        try store.write(record("resp_older", age: 10))
        pruningIsDue()
        try store.write(record("resp_big", age: 500, session: "sess-big"))
        #expect(try store.read("resp_big") != nil)
        #expect(hasSession("sess-big"))
        #expect(try store.read("resp_older") == nil)
    }

    @Test func sessionFilesAreFoundInAnyProjectByTheirID() throws {
        defer { cleanUp() }
        try session("0e56a1b2-c3d4", bytes: 42)
        #expect(sessions.path(of: "0e56a1b2-c3d4") == root + "/projects/-srv-work/0e56a1b2-c3d4.jsonl")
        #expect(sessions.size(of: "0e56a1b2-c3d4") == 42)
        #expect(sessions.size(of: "missing") == 0)
        #expect(sessions.path(of: "../x") == nil)
        #expect(sessions.path(of: "--help") == nil)
        sessions.delete("0e56a1b2-c3d4")
        #expect(sessions.path(of: "0e56a1b2-c3d4") == nil)
        sessions.delete("0e56a1b2-c3d4")
        #expect(SessionFiles(environment: ["CLAUDE_CONFIG_DIR": "/c", "HOME": "/h"])?.projectsDirectory == "/c/projects")
        #expect(SessionFiles(environment: ["HOME": "/h"])?.projectsDirectory == "/h/.claude/projects")
        #expect(SessionFiles(environment: ["CLAUDE_CONFIG_DIR": ""]) == nil)
    }
}
