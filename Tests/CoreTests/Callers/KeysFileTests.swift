import Glibc
import Testing
@testable import Core

@Suite struct KeysFileTests {
    let hash = String(repeating: "ab", count: 32)

    func parseError(_ text: String) -> String? {
        do throws(KeysFileError) {
            _ = try KeysFile.parse(Array(text.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsEveryFieldAndTheDefaults() throws {
        let file = try KeysFile.parse(Array("""
            {"callers": [{"name": "alice", "key_sha256": "\(hash)", "daily_usd": 5, "monthly_usd": 50.5,
              "runs_per_minute": 10, "models": ["sonnet"], "execute": false, "admin": true, "created": "2026-12-05T10:00:00Z"},
             {"name": "bob.b_2-x", "key_sha256": "\(String(repeating: "cd", count: 32))"}]}
            """.utf8))
        #expect(file.callers.count == 2)
        #expect(file.callers[0].caller == Caller(name: "alice", limits: CallerLimits(
            dailyUSD: 5, monthlyUSD: 50.5, runsPerMinute: 10, models: ["sonnet"], mayExecute: false, isAdmin: true)))
        #expect(file.callers[0].created == "2026-12-05T10:00:00Z")
        #expect(file.callers[1].caller == Caller(name: "bob.b_2-x", limits: CallerLimits()))
        #expect(file.callers[1].limits.mayExecute)
        #expect(!file.callers[1].limits.isAdmin)
        #expect(file.callers[1].created == nil)
    }

    @Test func anEmptyListIsNoCallers() throws {
        #expect(try KeysFile.parse(Array(#"{"callers": []}"#.utf8)).callers.isEmpty)
    }

    @Test func errorsNameTheEntryAndTheField() {
        let good = #"{"name": "alice", "key_sha256": "\#(hash)"}"#
        #expect(parseError(#"{"callers": [\#(good), {"name": "bob", "key_sha256": "\#(hash)", "daily_usd": "5"}]}"#)
                == #"entry 1 ("bob"): daily_usd: expected a number"#)
        #expect(parseError(#"{"callers": [{"name": "bob", "key_sha256": "\#(hash)", "execute": "no"}]}"#)
                == #"entry 0 ("bob"): execute: expected true or false"#)
        #expect(parseError(#"{"callers": [{"name": "bob", "key_sha256": "\#(hash)", "models": "sonnet"}]}"#)
                == #"entry 0 ("bob"): models: expected a list of strings"#)
        #expect(parseError(#"{"callers": [{"name": "bob", "key_sha256": "\#(hash)", "runs_per_minute": 1.5}]}"#)
                == #"entry 0 ("bob"): runs_per_minute: expected a number"#)
        #expect(parseError(#"{"callers": [\#(good), {"key_sha256": "\#(hash)"}]}"#) == "entry 1: name: missing")
        #expect(parseError(#"{"callers": [{"name": "bob"}]}"#) == #"entry 0 ("bob"): key_sha256: missing"#)
        #expect(parseError(#"{"callers": [{"name": "bob", "key_sha256": "\#(hash.uppercased())"}]}"#)?
                    .hasPrefix(#"entry 0 ("bob"): key_sha256: not 64 lower-case hexadecimal digits"#) == true)
        #expect(parseError(#"{"callers": [{"name": "bob", "key_sha256": "\#(hash)", "daily_usd": -1}]}"#)?
                    .hasPrefix(#"entry 0 ("bob"): daily_usd: "#) == true)
        #expect(parseError(#"{"callers": [{"name": "bob", "key_sha256": "\#(hash)", "models": [""]}]}"#)
                == #"entry 0 ("bob"): models: an empty name"#)
    }

    @Test func namesFollowTheRules() {
        #expect(parseError(#"{"callers": [{"name": "a b", "key_sha256": "\#(hash)"}]}"#)
                == #"entry 0 ("a b"): name: only letters, digits, '.', '_' and '-'"#)
        #expect(parseError(#"{"callers": [{"name": "", "key_sha256": "\#(hash)"}]}"#)?.contains("name: 1 to 40 characters") == true)
        #expect(parseError(#"{"callers": [{"name": "\#(String(repeating: "x", count: 41))", "key_sha256": "\#(hash)"}]}"#)?
                    .contains("name: 1 to 40 characters") == true)
        #expect(parseError(#"{"callers": [{"name": "\#(String(repeating: "x", count: 40))", "key_sha256": "\#(hash)"}]}"#) == nil)
        #expect(parseError(#"{"callers": [{"name": "default", "key_sha256": "\#(hash)"}]}"#)
                == #"entry 0 ("default"): name: 'default' is the token holder's"#)
        #expect(parseError(#"{"callers": [{"name": "a", "key_sha256": "\#(hash)"}, {"name": "a", "key_sha256": "\#(hash)"}]}"#)
                == #"entry 1 ("a"): name: used by an earlier entry too"#)
    }

    @Test func theShapeIsChecked() {
        #expect(parseError("") != nil)
        #expect(parseError("{") != nil)
        #expect(parseError("[]") != nil)
        #expect(parseError("{}") == "callers: missing")
        #expect(parseError(#"{"callers": {}}"#)?.hasPrefix("callers: ") == true)
        #expect(parseError(#"{"callers": [3]}"#)?.hasPrefix("entry 0") == true)
    }

    @Test func encodingReadsBackTheSame() throws {
        let file = KeysFile(callers: [
            KeysFile.Entry(name: "alice", keySHA256: hash, limits: CallerLimits(dailyUSD: 5, monthlyUSD: 50.25, runsPerMinute: 3,
                                                                                 models: ["sonnet", "opus"], mayExecute: false, isAdmin: true),
                           created: "2026-12-05T10:00:00Z"),
            KeysFile.Entry(name: "bob", keySHA256: hash),
        ])
        let bytes = file.encoded()
        #expect(try KeysFile.parse(bytes) == file)
        let text = String(decoding: bytes, as: UTF8.self)
        // Absent limits are left out, not written as null.
        #expect(!text.contains("null"))
        #expect(text.contains(#""execute" : false"#))
    }
}

@Suite struct KeysFileStoreTests {
    @Test func aMissingFileIsNoneAndAddingCreatesItWithMode0600() throws {
        let directory = ScratchDirectory("keysfile")
        defer { directory.remove() }
        let path = "\(directory.path)/keys.json"
        #expect(try KeysFileStore.read(path) == nil)
        try KeysFileStore.update(path) { (file: inout KeysFile) throws(KeysFileError) in file.callers.append(keyEntry("alice", key: "k1")) }
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try KeysFileStore.read(path)?.callers.map(\.name) == ["alice"])
    }

    @Test func aMalformedFileIsNeitherReadNorOverwritten() throws {
        let directory = ScratchDirectory("keysfile")
        defer { directory.remove() }
        let path = "\(directory.path)/keys.json"
        writeInPlace(path, #"{"callers": [{"name": "a b"}]}"#)
        #expect(throws: KeysFileError(#"keys file \#(path) is malformed (entry 0 ("a b"): key_sha256: missing)"#)) {
            try KeysFileStore.read(path)
        }
        #expect(throws: KeysFileError.self) {
            try KeysFileStore.update(path) { (file: inout KeysFile) throws(KeysFileError) in file.callers.removeAll() }
        }
        #expect(directory.read("keys.json") == #"{"callers": [{"name": "a b"}]}"#)
    }

    @Test func anUnreadableFileSaysWhy() throws {
        let directory = ScratchDirectory("keysfile")
        defer { directory.remove() }
        #expect(throws: KeysFileError("keys file \(directory.path) is unreadable (Is a directory)")) {
            try KeysFileStore.read(directory.path)
        }
    }

    @Test func aChangeThatBreaksARuleIsNotWritten() throws {
        let directory = ScratchDirectory("keysfile")
        defer { directory.remove() }
        let path = "\(directory.path)/keys.json"
        #expect(throws: KeysFileError.self) {
            try KeysFileStore.update(path) { (file: inout KeysFile) throws(KeysFileError) in file.callers.append(keyEntry("default", key: "k")) }
        }
        #expect(try KeysFileStore.read(path) == nil)
    }
}
