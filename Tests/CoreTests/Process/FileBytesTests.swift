import Glibc
import Testing
@testable import Core

@Suite struct FileBytesTests {
    @Test func readsTheWholeFileUpToTheLimitWhateverItsSizeSays() throws {
        let path = "/tmp/claude-fcgi-filebytes-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        defer { unlink(path) }
        let content = (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        _ = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #expect(FileBytes.read(path, limit: 64 << 20) == content)
        #expect(FileBytes.read(path, limit: 100) == Array(content.prefix(100)))
        #expect(FileBytes.read(path + ".missing", limit: 100) == nil)
        #expect(throws: SystemCallError("cannot open \(path).missing", code: ENOENT)) { try FileBytes.contents(path + ".missing", limit: 100) }
        // /proc files report a size of 0 and are longer than that.
        let stat = try #require(FileBytes.read("/proc/self/stat", limit: 4096))
        #expect(String(decoding: stat, as: UTF8.self).hasPrefix("\(getpid()) ("))
        let maps = try #require(FileBytes.read("/proc/self/maps", limit: 1 << 20))
        #expect(maps.count > 4096)
    }
}
