import Glibc
import Testing
@testable import Core

@Suite struct KeyRingTests {
    let directory = ScratchDirectory("keyring")
    var path: String { "\(directory.path)/keys.json" }

    @Test func findsTheCallerOfAKey() {
        defer { directory.remove() }
        writeByRename(path, keysJSON(keyEntry("alice", key: "cfk_a", limits: CallerLimits(dailyUSD: 5)), keyEntry("bob", key: "cfk_b")))
        let ring = KeyRing(path: path, log: LogLines().log)
        #expect(ring.caller(presenting: "cfk_a".utf8) == Caller(name: "alice", limits: CallerLimits(dailyUSD: 5)))
        #expect(ring.caller(presenting: "cfk_b".utf8)?.name == "bob")
        #expect(ring.caller(presenting: "cfk_c".utf8) == nil)
        #expect(ring.caller(presenting: "".utf8) == nil)
        // The hash is what is compared, never the key: a hash presented as a key is nobody's.
        #expect(ring.caller(presenting: SHA256.hex("cfk_a".utf8).utf8) == nil)
    }

    @Test func aDigestMatchesOnlyTheSameThirtyTwoBytes() throws {
        let hex = SHA256.hex("cfk_a".utf8)
        let digest = try #require(KeyRing.Digest(hex: hex))
        #expect(digest.matches(KeyRing.Digest(SHA256.digest("cfk_a".utf8))))
        #expect(try #require(KeyRing.Digest(hex: hex.uppercased())).matches(digest))
        // One digit changed in each of the four words, and the last: no match.
        for position in [0, 16, 32, 48, 63] {
            var digits = Array(hex.utf8)
            digits[position] = digits[position] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            #expect(!(try #require(KeyRing.Digest(hex: String(decoding: digits, as: UTF8.self)))).matches(digest))
        }
        #expect(KeyRing.Digest(hex: String(hex.dropLast())) == nil)
        #expect(KeyRing.Digest(hex: String(hex.dropLast()) + "g") == nil)
    }

    @Test func noPathOrNoFileIsNoKeys() {
        defer { directory.remove() }
        let log = LogLines()
        #expect(KeyRing(path: nil, log: log.log).caller(presenting: "cfk_a".utf8) == nil)
        #expect(log.lines.isEmpty)
        let ring = KeyRing(path: path, log: log.log)
        #expect(ring.caller(presenting: "cfk_a".utf8) == nil)
        #expect(ring.caller(presenting: "cfk_a".utf8) == nil)
        #expect(log.lines == ["keys file \(path) does not exist: no keys (only the token is accepted)"])
    }

    @Test func aRemovedKeyIsRefusedFromTheNextLookUp() {
        defer { directory.remove() }
        writeByRename(path, keysJSON(keyEntry("alice", key: "cfk_a"), keyEntry("bob", key: "cfk_b")))
        let ring = KeyRing(path: path, log: LogLines().log)
        #expect(ring.caller(presenting: "cfk_b".utf8)?.name == "bob")
        writeByRename(path, keysJSON(keyEntry("alice", key: "cfk_a")))
        #expect(ring.caller(presenting: "cfk_b".utf8) == nil)
        #expect(ring.caller(presenting: "cfk_a".utf8)?.name == "alice")
    }

    @Test func aRewriteInTheSameSecondOfTheSameSizeIsSeen() {
        defer { directory.remove() }
        // Same length names and keys: the file's size does not change, only its inode (a rename).
        writeByRename(path, keysJSON(keyEntry("alice", key: "cfk_a")))
        let ring = KeyRing(path: path, log: LogLines().log)
        #expect(ring.caller(presenting: "cfk_a".utf8)?.name == "alice")
        var before = stat()
        stat(path, &before)
        writeByRename(path, keysJSON(keyEntry("carol", key: "cfk_c")))
        var after = stat()
        stat(path, &after)
        #expect(before.st_size == after.st_size)
        #expect(ring.caller(presenting: "cfk_a".utf8) == nil)
        #expect(ring.caller(presenting: "cfk_c".utf8)?.name == "carol")
    }

    @Test func aRewriteInPlaceOfTheSameSizeIsSeen() {
        defer { directory.remove() }
        writeInPlace(path, keysJSON(keyEntry("alice", key: "cfk_a")))
        let ring = KeyRing(path: path, log: LogLines().log)
        #expect(ring.caller(presenting: "cfk_a".utf8)?.name == "alice")
        // Same inode, same size: only the modification time (nanoseconds, kernel's tick) tells.
        usleep(20_000)
        writeInPlace(path, keysJSON(keyEntry("carol", key: "cfk_c")))
        #expect(ring.caller(presenting: "cfk_a".utf8) == nil)
        #expect(ring.caller(presenting: "cfk_c".utf8)?.name == "carol")
    }

    @Test func aMalformedFileKeepsTheLastGoodKeysAndSaysSoOncePerChange() {
        defer { directory.remove() }
        let log = LogLines()
        writeByRename(path, keysJSON(keyEntry("alice", key: "cfk_a"), keyEntry("bob", key: "cfk_b")))
        let ring = KeyRing(path: path, log: log.log)
        #expect(ring.count == 2)
        #expect(log.lines.isEmpty)
        writeByRename(path, #"{"callers": [{"name": "alice", "key_sha256": 5}]}"#)
        #expect(ring.caller(presenting: "cfk_a".utf8)?.name == "alice")
        #expect(ring.caller(presenting: "cfk_b".utf8)?.name == "bob")
        #expect(log.lines.count == 1)
        let line = log.lines.first ?? ""
        #expect(line.hasPrefix(#"keys file \#(path) is malformed (entry 0 ("alice"): key_sha256: expected a string); still using the 2 keys read at "#))
        writeByRename(path, "{")
        #expect(ring.caller(presenting: "cfk_a".utf8)?.name == "alice")
        #expect(log.lines.count == 2)
        writeByRename(path, keysJSON(keyEntry("carol", key: "cfk_c")))
        #expect(ring.caller(presenting: "cfk_a".utf8) == nil)
        #expect(ring.caller(presenting: "cfk_c".utf8)?.name == "carol")
        #expect(log.lines.last == "keys file \(path) read: 1 keys")
    }

    @Test func aMalformedFileAtStartIsNoKeysAndSaysSo() {
        defer { directory.remove() }
        let log = LogLines()
        writeByRename(path, "not json")
        let ring = KeyRing(path: path, log: log.log)
        #expect(ring.caller(presenting: "cfk_a".utf8) == nil)
        #expect(log.lines.count == 1)
        #expect(log.lines.first?.hasSuffix("no keys read before it: only the token is accepted") == true)
    }

    @Test func anUnreadableFileKeepsTheLastGoodKeys() throws {
        defer { directory.remove() }
        let log = LogLines()
        writeByRename(path, keysJSON(keyEntry("alice", key: "cfk_a")))
        let ring = KeyRing(path: path, log: log.log)
        #expect(ring.count == 1)
        // A directory in its place cannot be read, whoever runs the test (root reads a mode 000 file).
        unlink(path)
        mkdir(path, 0o700)
        defer { rmdir(path) }
        #expect(ring.caller(presenting: "cfk_a".utf8)?.name == "alice")
        #expect(log.lines.count == 1)
        #expect(log.lines.first?.hasPrefix("keys file \(path) is unreadable (Is a directory); still using the 1 keys read at ") == true)
    }

    @Test func aFileThatGoesAwayIsNoKeys() {
        defer { directory.remove() }
        let log = LogLines()
        writeByRename(path, keysJSON(keyEntry("alice", key: "cfk_a")))
        let ring = KeyRing(path: path, log: log.log)
        #expect(ring.count == 1)
        unlink(path)
        #expect(ring.caller(presenting: "cfk_a".utf8) == nil)
        #expect(log.lines == ["keys file \(path) does not exist: no keys (only the token is accepted)"])
    }

    @Test func checkSaysWhatIsWrongWithTheFile() throws {
        defer { directory.remove() }
        #expect(try KeyRing.check(path: path) == nil)
        writeByRename(path, keysJSON(keyEntry("alice", key: "cfk_a")))
        #expect(try KeyRing.check(path: path) == 1)
        writeByRename(path, #"{"callers": [{"name": "default", "key_sha256": "\#(SHA256.hex("x".utf8))"}]}"#)
        #expect(throws: ConfigurationError(#"keys file \#(path) is malformed (entry 0 ("default"): name: 'default' is the token holder's)"#)) {
            try KeyRing.check(path: path)
        }
    }
}
