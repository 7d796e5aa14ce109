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

    @Test func addsUpAcrossInstancesAndReadsBack() {
        defer { cleanUp() }
        #expect(CounterFile(stateDirectory: directory).read().isEmpty)
        #expect(CounterFile(stateDirectory: directory).add(["a_total": 1, #"b_total{x="y"}"#: 0.25]))
        #expect(CounterFile(stateDirectory: directory).add(["a_total": 2, #"b_total{x="y"}"#: 0.5]))
        #expect(CounterFile(stateDirectory: directory).read() == ["a_total": 3, #"b_total{x="y"}"#: 0.75])
        #expect(String(decoding: FileBytes.read(directory + "/metrics.counters", limit: 1000) ?? [], as: UTF8.self)
            == "a_total 3\nb_total{x=\"y\"} 0.75\n")
    }

    @Test func concurrentAddersLoseNothing() async {
        defer { cleanUp() }
        // Each add opens the file anew, so each holds its own open file description: flock excludes
        // threads of one process as it excludes processes.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<50 { CounterFile(stateDirectory: directory).add(["n_total": 1]) }
                }
            }
        }
        #expect(CounterFile(stateDirectory: directory).read()["n_total"] == 400)
    }

    @Test func aShorterRewriteLeavesNoTail() {
        defer { cleanUp() }
        let path = directory + "/metrics.counters"
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        let junk = Array("x_total 1\nnot a line\ny_total 12345678901\n".utf8)
        _ = junk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        CounterFile(stateDirectory: directory).add(["x_total": 1])
        #expect(CounterFile(stateDirectory: directory).read() == ["x_total": 2, "y_total": 12_345_678_901])
    }
}
