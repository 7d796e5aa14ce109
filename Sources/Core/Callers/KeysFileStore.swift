import Glibc

/// The keys file on disk: read whole, and changed only under an flock of `<file>.lock` by a whole-file
/// replacement (``AtomicFile``, mode 0600), so that two `claude-fcgi keys` at once lose neither's change
/// and a worker never reads half a file.
public enum KeysFileStore {
    /// The most a keys file may hold (a few hundred bytes per caller).
    static let byteLimit = 16 << 20

    /// The file's entries; `nil` when there is no file.
    /// - Throws: ``KeysFileError`` naming the file: it cannot be read, or it is malformed.
    public static func read(_ path: String) throws(KeysFileError) -> KeysFile? {
        let bytes: [UInt8]
        do throws(SystemCallError) {
            bytes = try FileBytes.contents(path, limit: byteLimit)
        } catch where error.code == ENOENT {
            return nil
        } catch {
            throw KeysFileError("keys file \(path) is unreadable (\(Errno.describe(error.code)))")
        }
        do throws(KeysFileError) {
            return try KeysFile.parse(bytes)
        } catch {
            throw KeysFileError("keys file \(path) is malformed (\(error.description))")
        }
    }

    /// Reads the file (none: no callers), lets `change` edit it, and writes the result back, all under
    /// the file's lock. A malformed file is left as it is. Returns what `change` returned.
    public static func update<Result>(_ path: String, _ change: (inout KeysFile) throws(KeysFileError) -> Result) throws(KeysFileError) -> Result {
        let lockPath = path + ".lock"
        let lock: Int32
        do throws(SystemCallError) {
            lock = try SystemCall.retrying("cannot open \(lockPath)") { open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        } catch {
            throw KeysFileError(error.description)
        }
        defer { close(lock) }  // releases the flock; nothing written through it
        do throws(SystemCallError) {
            try SystemCall.retrying("cannot lock \(lockPath)") { flock(lock, LOCK_EX) }
        } catch {
            throw KeysFileError(error.description)
        }
        var file = try read(path) ?? KeysFile()
        let result = try change(&file)
        try file.validate()
        do throws(SystemCallError) {
            try AtomicFile.write(file.encoded(), to: path, what: "keys file")
        } catch {
            throw KeysFileError(error.description)
        }
        return result
    }
}
