import Glibc
import Testing
@testable import Core

@Suite struct FileJobStoreTests {
    let directory: String
    let store: FileJobStore

    init() {
        directory = "/tmp/claude-fcgi-jobstore-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        mkdir(directory, 0o700)
        store = FileJobStore(directory: directory)
    }

    func record(_ millis: Int64, _ status: JobRecord.Status = .ended(.succeeded)) -> JobRecord {
        var record = JobRecord(id: JobID.make(milliseconds: millis, random: "abcdefgh"), agent: "a", created: "t")
        record.status = status
        return record
    }

    func cleanUp() {
        for name in FileBytes.names(inDirectory: directory) { unlink("\(directory)/\(name)") }
        rmdir(directory)
    }

    @Test func writesAtomicallyAndReadsBack() throws {
        defer { cleanUp() }
        var job = record(1_700_000_000_000, .running)
        job.runner = JobRecord.Runner(pid: 12, start_ticks: 34)
        try store.write(job)
        #expect(try store.read(job.job_id) == job)
        #expect(FileBytes.names(inDirectory: directory) == ["\(job.job_id).json"], "no temporary file is left")
        #expect(try store.read("job_1700000000000_missing0") == nil)
        #expect(try store.read("../../etc/passwd") == nil)
    }

    @Test func aRecordThatCannotBeReadIsAnErrorNamingTheJobNotAbsence() throws {
        defer { cleanUp() }
        let job = record(1_700_000_000_001)
        try store.write(job)
        let fd = open("\(directory)/\(job.job_id).json", O_WRONLY | O_TRUNC)
        _ = write(fd, "{\"job_id\":", 11)
        close(fd)
        #expect(throws: JobStoreError.self) { try store.read(job.job_id) }
        do {
            _ = try store.read(job.job_id)
        } catch {
            #expect(error.description.hasPrefix("job \(job.job_id): its record cannot be read"))
        }
        #expect(store.list(limit: 10, before: nil).isEmpty)
    }

    @Test func listsNewestFirstAndPagesWithBefore() throws {
        defer { cleanUp() }
        for millis in [1_700_000_000_001, 1_700_000_000_003, 1_700_000_000_002] as [Int64] { try store.write(record(millis)) }
        #expect(store.list(limit: 2, before: nil).map(\.job_id) == [record(1_700_000_000_003).job_id, record(1_700_000_000_002).job_id])
        #expect(store.list(limit: 5, before: record(1_700_000_000_002).job_id).map(\.job_id) == [record(1_700_000_000_001).job_id])
    }

    @Test func prunesByAgeAndCountButNeverARunningJob() throws {
        defer { cleanUp() }
        let now: Int64 = 1_700_000_100_000
        try store.write(record(now - 90_000, .running))   // old but running: kept
        try store.write(record(now - 85_000, .running))   // old, says running, its runner lost: pruned
        try store.write(record(now - 80_000))             // old: pruned
        try store.write(record(now - 3_000))
        try store.write(record(now - 2_000))
        try store.write(record(now - 1_000))
        let lost = record(now - 85_000).job_id
        store.prune(nowMilliseconds: now, maxAgeSeconds: 60, maxCount: 2, isRunning: { $0.status == .running && $0.job_id != lost })
        #expect(store.list(limit: 10, before: nil).map(\.job_id)
                == [record(now - 1_000).job_id, record(now - 2_000).job_id, record(now - 90_000).job_id])
    }

    @Test func aStoreThatCannotBeWrittenSaysWhy() {
        #expect(throws: JobStoreError.self) { try FileJobStore(directory: "/nonexistent-dir").write(record(1)) }
    }
}
