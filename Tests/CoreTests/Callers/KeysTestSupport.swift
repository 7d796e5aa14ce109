import Glibc
@testable import Core

/// Log lines a ``KeyRing`` wrote, for the test to read (the ring logs on the test's thread).
final class LogLines: @unchecked Sendable {
    var lines: [String] = []
    var log: @Sendable (String) -> Void { { [self] in lines.append($0) } }
}

/// A keys file entry with the key `key`.
func keyEntry(_ name: String, key: String, limits: CallerLimits = CallerLimits()) -> KeysFile.Entry {
    KeysFile.Entry(name: name, keySHA256: SHA256.hex(key.utf8), limits: limits, created: "2026-12-05T10:00:00Z")
}

/// Writes `text` to `path` in place (same inode), as an editor that truncates does.
func writeInPlace(_ path: String, _ text: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    Descriptor.writeAll(fd, Array(text.utf8))
    close(fd)
}

/// Writes `text` to a new file renamed onto `path` (a new inode), as `keys add` does.
func writeByRename(_ path: String, _ text: String) {
    writeInPlace(path + ".new", text)
    rename(path + ".new", path)
}

func keysJSON(_ entries: KeysFile.Entry...) -> String {
    String(decoding: KeysFile(callers: entries).encoded(), as: UTF8.self)
}
