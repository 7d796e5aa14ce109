import Glibc
import Testing
@testable import Core

@Suite final class UnixSocketTests {
    let scratch = ScratchDirectory("unix-socket")

    deinit { scratch.remove() }

    /// Connects to `path`, accepts on `listener`, checks both ends name this process and carry a byte; closes both.
    func expectConnection(to path: String, listener: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let client = UnixSocket.connect(to: path) else {
            Issue.record("cannot connect to \(path)", sourceLocation: sourceLocation)
            return
        }
        defer { close(client) }
        guard let server = UnixSocket.accept(listener) else {
            Issue.record("nothing to accept", sourceLocation: sourceLocation)
            return
        }
        defer { close(server) }
        #expect(UnixSocket.peerPID(client) == getpid(), sourceLocation: sourceLocation)
        #expect(UnixSocket.peerPID(server) == getpid(), sourceLocation: sourceLocation)
        #expect(Descriptor.writeAll(client, [42]), sourceLocation: sourceLocation)
        var byte: UInt8 = 0
        #expect(read(server, &byte, 1) == 1 && byte == 42, sourceLocation: sourceLocation)
        #expect(fcntl(server, F_GETFD) & FD_CLOEXEC != 0, "accepted close-on-exec", sourceLocation: sourceLocation)
        #expect(fcntl(client, F_GETFD) & FD_CLOEXEC != 0, "connected close-on-exec", sourceLocation: sourceLocation)
    }

    @Test func aConnectionReachesTheListenerAndNamesItsPeer() throws {
        let path = scratch.path + "/spare.sock"
        let listener = try UnixSocket.listen(at: path)
        defer { close(listener) }
        #expect(fcntl(listener, F_GETFD) & FD_CLOEXEC != 0)
        expectConnection(to: path, listener: listener)
    }

    @Test func nothingListeningIsNoConnection() throws {
        #expect(UnixSocket.connect(to: scratch.path + "/nothing.sock") == nil)
        // A socket file whose listener is gone.
        let path = scratch.path + "/gone.sock"
        close(try UnixSocket.listen(at: path))
        #expect(FileSignature.of(path) != nil, "the file is left behind")
        #expect(UnixSocket.connect(to: path) == nil)
    }

    @Test func acceptWithNothingWaitingOnANonBlockingListenerIsNil() throws {
        let listener = try UnixSocket.listen(at: scratch.path + "/idle.sock")
        defer { close(listener) }
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
        #expect(UnixSocket.accept(listener) == nil)
    }

    @Test func listenReplacesASocketFileLeftAtThePath() throws {
        let path = scratch.path + "/spare.sock"
        close(try UnixSocket.listen(at: path))
        let listener = try UnixSocket.listen(at: path)
        defer { close(listener) }
        expectConnection(to: path, listener: listener)
    }

    @Test func aPathLongerThanASocketAddressIsReachedThroughItsDirectory() throws {
        var directory = scratch.path
        for level in 0..<4 {
            directory += "/" + String(repeating: Character("\(level)"), count: 40)
            #expect(mkdir(directory, 0o700) == 0)
        }
        let path = directory + "/spare.sock"
        #expect(path.utf8.count > 108)
        let listener = try UnixSocket.listen(at: path)
        #expect(FileSignature.of(path).map { $0.mode & S_IFMT == S_IFSOCK } == true, "the socket is at the long path itself")
        expectConnection(to: path, listener: listener)
        // And it replaces a file left there, as at a short path.
        close(listener)
        let again = try UnixSocket.listen(at: path)
        defer { close(again) }
        expectConnection(to: path, listener: again)
    }

    @Test func aLongPathWhoseDirectoryIsMissingIsAnError() {
        let path = scratch.path + "/" + String(repeating: "m", count: 120) + "/spare.sock"
        #expect(throws: SystemCallError.self) { try UnixSocket.listen(at: path) }
        #expect(UnixSocket.connect(to: path) == nil)
    }
}
