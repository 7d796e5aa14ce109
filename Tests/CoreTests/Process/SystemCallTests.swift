import Glibc
import Testing
@testable import Core

@Suite struct SystemCallTests {
    @Test func anInterruptedCallIsMadeAgain() throws {
        var calls = 0
        let result = try SystemCall.retrying("cannot count") { () -> Int32 in
            calls += 1
            if calls < 3 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(result == 7)
        #expect(calls == 3)
    }

    @Test func aFailureCarriesTheCallsErrnoAndWhatWasBeingDone() {
        #expect(throws: SystemCallError("cannot close", code: EBADF)) { try SystemCall.retrying("cannot close") { close(-1) } }
        #expect(SystemCall.result { fcntl(-1, F_GETFD) } == .failure(Errno.Code(value: EBADF)))
    }

    @Test func closeRangeClosesTheRangeOnly() throws {
        var pipe = try Pipe.make()
        defer { pipe.close() }
        // High numbers, away from what tests running beside this one open.
        let inside = try SystemCall.retrying("cannot copy") { fcntl(pipe.readEnd, F_DUPFD_CLOEXEC, 600) }
        var outside = try SystemCall.retrying("cannot copy") { fcntl(pipe.readEnd, F_DUPFD_CLOEXEC, inside + 1) }
        defer { Descriptor.close(&outside) }
        Descriptor.closeRange(inside, inside)
        #expect(SystemCall.result { fcntl(inside, F_GETFD) } == .failure(Errno.Code(value: EBADF)))
        #expect(SystemCall.result { fcntl(outside, F_GETFD) } == .success(FD_CLOEXEC))
    }
}
