import Glibc
import Testing
@testable import Core

@Suite struct CounterFileTests {
    let directory: String = {
        let path = "/tmp/claude-fcgi-counters-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        mkdir(path, 0o700)
        return path
    }()

    func cleanUp() {
        unlink(directory + "/metrics.counters")
        rmdir(directory)
    }

    @Test func everyBlockOfTheFileIsAllocatedBeforeItIsMapped() throws {
        defer { cleanUp() }
        // A store to a mapped page the file system has no block for is a SIGBUS on a full disk.
        #expect(CounterFile(stateDirectory: directory).add("a_total", by: 1))
        var info = stat()
        #expect(stat(directory + "/metrics.counters", &info) == 0)
        #expect(Int(info.st_size) == CounterFile.fileSize)
        #expect(Int(info.st_blocks) * 512 >= CounterFile.fileSize, "no holes: \(info.st_blocks) blocks")
    }

    @Test func addsUpAcrossInstancesAndReadsBack() {
        defer { cleanUp() }
        #expect(CounterFile(stateDirectory: directory).read().isEmpty)
        #expect(CounterFile(stateDirectory: directory).add(["a_total": 1, #"b_total{x="y"}"#: 0.25]))
        #expect(CounterFile(stateDirectory: directory).add("a_total", by: 0))
        let second = CounterFile(stateDirectory: directory)
        #expect(second.add(["a_total": 2, #"b_total{x="y"}"#: 0.5]))
        #expect(CounterFile(stateDirectory: directory).read() == ["a_total": 3, #"b_total{x="y"}"#: 0.75])
        #expect(second.read() == ["a_total": 3, #"b_total{x="y"}"#: 0.75], "one mapping sees another's adds")
    }

    @Test func concurrentAddersLoseNothing() async {
        defer { cleanUp() }
        // Each add maps the file anew, as each process does; the first adds race to name the series.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<50 { CounterFile(stateDirectory: directory).add(["n_total": 1]) }
                }
            }
        }
        #expect(CounterFile(stateDirectory: directory).read()["n_total"] == 400)
    }

    @Test func addersInSeveralProcessesLoseNothing() {
        defer { cleanUp() }
        #expect(CounterFile(stateDirectory: directory).add("shared_total", by: 1))
        let processes = 4, adds = 100_000
        var children: [pid_t] = []
        for index in 0..<processes {
            let pid = fork()
            if pid == 0 {
                // Its own file, as a worker has: the flock that names a series excludes its siblings.
                let file = CounterFile(stateDirectory: directory)
                for _ in 0..<adds {
                    file.add("shared_total", by: 1)
                    file.add("named_by_the_first_total", by: 0.5)
                }
                _exit(file.add("child_\(index)_total", by: 1) ? 0 : 1)
            }
            children.append(pid)
        }
        for pid in children {
            var status: Int32 = -1
            #expect(waitpid(pid, &status, 0) == pid && status == 0)
        }
        let counters = CounterFile(stateDirectory: directory).read()
        #expect(counters["shared_total"] == Double(1 + processes * adds))
        #expect(counters["named_by_the_first_total"] == Double(processes * adds) / 2)
        #expect(counters.count == 2 + processes, "each series named once")
    }

    @Test func aNameTooLongOrAFullTableIsRefusedNotCorrupted() {
        defer { cleanUp() }
        let file = CounterFile(stateDirectory: directory)
        #expect(!file.add([String(repeating: "x", count: CounterFile.maxNameLength + 1): 1]))
        #expect(file.add([String(repeating: "x", count: CounterFile.maxNameLength): 1]))
        for index in 1..<CounterFile.slotCount { file.add("s\(index)", by: 1) }
        #expect(!file.add(["one_too_many": 1]))
        #expect(file.read().count == CounterFile.slotCount)
        #expect(file.add("s7", by: 1), "a counted series still adds when the table is full")
        #expect(file.read()["s7"] == 2)
    }

    @Test func aSlotWhoseNameWasNotFinishedIsFree() {
        defer { cleanUp() }
        let file = CounterFile(stateDirectory: directory)
        file.add(["kept": 1])
        // A process killed mid-insert: name bytes written, length not yet.
        let fd = open(directory + "/metrics.counters", O_RDWR)
        let half = Array("half_written".utf8)
        _ = half.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(5 * CounterFile.slotSize + 9)) }
        close(fd)
        #expect(file.read() == ["kept": 1])
    }
}
