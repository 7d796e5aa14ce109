import Glibc
import Testing
@testable import Core

@Suite struct ProcessTableTests {
    @Test func knowsALiveProcessAndItsChildren() throws {
        #expect(ProcessTable.startTicks(getpid()) != nil)
        #expect(ProcessTable.startTicks(-5) == nil)
        var pipes = try ChildPipes.make()
        let pid = try Spawn.start(executable: "/bin/sleep", arguments: ["5"], environment: [:], workingDirectory: "/",
                                  descriptors: pipes.childEnds, newSession: true, diesWithParent: false)
        pipes.closeAll()
        defer { kill(pid, SIGKILL); _ = ProcessExit.reap(pid) }
        #expect(ProcessTable.children(of: getpid()).contains(pid))
        #expect(ProcessTable.startTicks(pid) != nil)
    }
}
