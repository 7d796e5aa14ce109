import Glibc

/// Small whole-file reads and directory listings.
enum FileBytes {
    /// The names in a directory (without `.` and `..`); empty when it cannot be read.
    static func names(inDirectory path: String) -> [String] {
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }  // read only: a failing close loses nothing
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The file's bytes, at most `limit`; `nil` when it cannot be read.
    static func read(_ path: String, limit: Int) -> [UInt8]? {
        try? contents(path, limit: limit)
    }

    /// The file's bytes, at most `limit`; throws with the `errno` of the call that failed. The buffer
    /// is sized by the file (`fstat`), not by `limit`: zeroing a buffer of `limit` bytes for each small
    /// record made reading 10 000 job records take 10 s.
    static func contents(_ path: String, limit: Int) throws(SystemCallError) -> [UInt8] {
        let fd = try SystemCall.retrying("cannot open \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }  // read only: a failing close loses nothing
        var info = stat()
        let size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        // One byte more than the size, so that a file that grew since is still read to its end (or the
        // limit); /proc files say 0 and start at a page.
        var bytes = [UInt8](repeating: 0, count: max(1, min(limit, size > 0 ? size + 1 : 4096)))
        var total = 0
        while total < limit {
            if total == bytes.count { bytes += repeatElement(0, count: min(bytes.count, limit - bytes.count)) }
            let read = bytes.withUnsafeMutableBytes { buffer in SystemCall.result { Glibc.read(fd, buffer.baseAddress! + total, buffer.count - total) } }
            let count = try read.mapError { SystemCallError("cannot read \(path)", code: $0.value) }.get()
            if count == 0 { break }
            total += count
        }
        return Array(bytes[..<total])
    }

    /// Whether the path names a directory.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
