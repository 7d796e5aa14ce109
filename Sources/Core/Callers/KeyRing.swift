import Glibc

/// The callers' keys as a worker knows them: the keys file, re-read when it changed (one `stat(2)` per
/// keyed request), so that an added or removed key counts from the next request on, without a restart.
///
/// A file that turns malformed or unreadable leaves the keys read last in force, and says so in the log
/// once per change of the file; a file that is gone means no keys. One per worker; not for use from
/// several threads at once (the worker is single-threaded).
public final class KeyRing: @unchecked Sendable {
    /// A SHA-256 digest as four words, so that a presented key is compared with every entry in a few
    /// instructions each (the bytes of the hex digits, compared one by one, cost more than the hash).
    struct Digest {
        var words: (UInt64, UInt64, UInt64, UInt64)

        /// From the digest's 32 bytes (another count: the first 32, zeros after the last).
        init(_ bytes: [UInt8]) {
            var padded = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            withUnsafeMutableBytes(of: &padded) { words in
                bytes.withUnsafeBytes { words.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(32))) }
            }
            words = padded
        }

        /// From the keys file's `SHA256.hex`: 64 hexadecimal digits; `nil` for anything else.
        init?(hex: String) {
            let digits = Array(hex.utf8)
            guard digits.count == 64 else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(32)
            for pair in stride(from: 0, to: 64, by: 2) {
                guard let high = Self.value(digits[pair]), let low = Self.value(digits[pair + 1]) else { return nil }
                bytes.append(high << 4 | low)
            }
            self.init(bytes)
        }

        private static func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        /// Whether the two are equal, in time that does not depend on where they differ.
        func matches(_ other: Digest) -> Bool {
            ((words.0 ^ other.words.0) | (words.1 ^ other.words.1) | (words.2 ^ other.words.2) | (words.3 ^ other.words.3)) == 0
        }
    }

    /// What the last look at the file found.
    enum Seen: Equatable {
        case never
        case absent
        case unstattable(Int32)
        case version(FileSignature)
    }

    private let path: String?
    private let log: @Sendable (String) -> Void
    private var seen = Seen.never
    /// Each key's SHA-256, beside its caller.
    private var entries: [(digest: Digest, caller: Caller)] = []
    /// When ``entries`` were read (RFC 3339), for the log line of a bad file.
    private var readAt: String?

    /// - Parameters:
    ///   - path: the keys file (`--keys-file`); `nil`: no keys, and no `stat` either.
    ///   - log: where a bad or vanished file is reported (the worker's warning log).
    public init(path: String?, log: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.log = log
    }

    /// The caller whose key this is, or `nil` (no such key, revoked, or no keys file).
    /// The key's SHA-256 is compared with every entry's, each in constant time, without an early exit.
    public func caller(presenting key: some Collection<UInt8>) -> Caller? {
        refresh()
        guard !entries.isEmpty else { return nil }
        let presented = Digest(SHA256.digest(key))
        var found: Caller?
        for entry in entries where entry.digest.matches(presented) {
            found = entry.caller
        }
        return found
    }

    /// How many keys are in force.
    public var count: Int {
        refresh()
        return entries.count
    }

    /// Re-reads the file when `stat` says it is another version than the one last looked at.
    func refresh() {
        guard let path else { return }
        var info = stat()
        let now: Seen
        if stat(path, &info) == 0 {
            now = .version(FileSignature(info))
        } else {
            let code = errno
            now = code == ENOENT ? .absent : .unstattable(code)
        }
        guard now != seen else { return }
        let first = seen == .never
        seen = now
        switch now {
        case .never:
            return
        case .absent:
            entries = []
            readAt = nil
            log("keys file \(path) does not exist: no keys (only the token is accepted)")
        case .unstattable(let code):
            keepLast(problem: "keys file \(path) is unreadable (\(Errno.describe(code)))")
        case .version:
            do throws(KeysFileError) {
                let file = try KeysFileStore.read(path) ?? KeysFile()
                // The file's check holds every hash to 64 hexadecimal digits; one that is not matches no key.
                entries = file.callers.compactMap { entry in Digest(hex: entry.keySHA256).map { ($0, entry.caller) } }
                readAt = RFC3339.format(secondsSinceEpoch: time(nil))
                if !first { log("keys file \(path) read: \(entries.count) keys") }
            } catch {
                keepLast(problem: error.description)
            }
        }
    }

    private func keepLast(problem: String) {
        let kept = readAt.map { "still using the \(entries.count) keys read at \($0)" } ?? "no keys read before it: only the token is accepted"
        log("\(problem); \(kept)")
    }

    /// For `--check-config`: the number of keys in the file, or `nil` when there is no file yet.
    /// - Throws: ``ConfigurationError`` when the file is unreadable or malformed, naming it and the entry.
    @discardableResult
    public static func check(path: String) throws(ConfigurationError) -> Int? {
        do throws(KeysFileError) {
            return try KeysFileStore.read(path)?.callers.count
        } catch {
            throw ConfigurationError(error.description)
        }
    }
}
