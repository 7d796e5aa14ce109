import Glibc
import Testing
@testable import Core

@Suite struct SocketPairTests {
    @Test func aDescriptorTravelsWithTheBytes() throws {
        var pair = try SocketPair.make()
        defer { Descriptor.close(&pair.first); Descriptor.close(&pair.second) }
        var pipe = try Pipe.make()
        defer { pipe.close() }
        let message = Array("hello, supervisor".utf8)
        try SocketPair.send(message, descriptor: pipe.writeEnd, on: pair.first)
        var buffer = [UInt8](repeating: 0, count: 64)
        var received: [UInt8] = []
        var passed: Int32?
        while received.count < message.count {
            let (count, descriptor) = SocketPair.receive(on: pair.second, into: &buffer)
            #expect(count > 0)
            if let descriptor { passed = descriptor }
            received += buffer[..<count]
        }
        #expect(received == message)
        let copy = try #require(passed)
        defer { close(copy) }
        #expect(copy != pipe.writeEnd)
        #expect(fcntl(copy, F_GETFD) & FD_CLOEXEC != 0, "a received descriptor is close-on-exec")
        #expect(Descriptor.writeAll(copy, Array("via the copy".utf8)))
        var read = [UInt8](repeating: 0, count: 32)
        let count = Glibc.read(pipe.readEnd, &read, 32)
        #expect(String(decoding: read[..<max(0, count)], as: UTF8.self) == "via the copy")
    }

    @Test func endOfFileIsACountOfZeroAndAClosedPeerRefusesTheRun() throws {
        var pair = try SocketPair.make()
        Descriptor.close(&pair.second)
        defer { Descriptor.close(&pair.first) }
        #expect(throws: SystemCallError.self) { try SocketPair.send([1, 2, 3], descriptor: 0, on: pair.first) }
        var other = try SocketPair.make()
        defer { Descriptor.close(&other.second) }
        Descriptor.close(&other.first)
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(SocketPair.receive(on: other.second, into: &buffer).count == 0)
    }
}
