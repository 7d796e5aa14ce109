import Glibc

/// The three standard-stream pipes of a child: parent ends non-blocking, -1 marks a closed end.
struct ChildPipes {
    var stdin: Pipe
    var stdout: Pipe
    var stderr: Pipe

    static func make() throws(SpawnError) -> ChildPipes {
        var made: [Pipe] = []
        for _ in 0..<3 {
            do {
                made.append(try Pipe.make())
            } catch {
                for var pipe in made { pipe.close() }
                throw .failed(error.description)
            }
        }
        var pipes = ChildPipes(stdin: made[0], stdout: made[1], stderr: made[2])
        do {
            for fd in [pipes.stdin.writeEnd, pipes.stdout.readEnd, pipes.stderr.readEnd] { try Descriptor.setNonBlocking(fd) }
        } catch {
            pipes.closeAll()
            throw .failed(error.description)
        }
        return pipes
    }

    /// The ends the child gets as its fd 0, 1 and 2.
    var childEnds: [(parent: Int32, child: Int32)] {
        [(stdin.readEnd, 0), (stdout.writeEnd, 1), (stderr.writeEnd, 2)]
    }

    mutating func closeChildEnds() {
        Descriptor.close(&stdin.readEnd)
        Descriptor.close(&stdout.writeEnd)
        Descriptor.close(&stderr.writeEnd)
    }

    mutating func closeAll() {
        stdin.close()
        stdout.close()
        stderr.close()
    }

    /// Writes more of `bytes` from `offset`; closes stdin when all is written or the child stopped
    /// reading. Returns the new offset.
    mutating func writeStdin(_ bytes: [UInt8], from offset: Int) -> Int {
        var offset = offset
        while offset < bytes.count {
            let fd = stdin.writeEnd
            let written = bytes.withUnsafeBytes { buffer in
                SystemCall.result { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
            }
            if case .success(let count) = written, count > 0 { offset += count; continue }
            if case .failure(let code) = written, code.value == EAGAIN { return offset }
            break  // EPIPE: the child closed its stdin
        }
        Descriptor.close(&stdin.writeEnd)
        return bytes.count
    }
}
