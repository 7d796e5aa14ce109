import Glibc

/// SIGTERM, SIGINT and SIGHUP turned into a readable pipe, so that a run's poll loop sees them and
/// stops the run the way a timeout does. Installed once, in a run's supervisor.
struct CancelSignal {
    /// Polls readable once a signal came (or ``trigger()`` was called); -1 when no pipe could be made.
    let descriptor: Int32

    nonisolated(unsafe) private static var writeEnd: Int32 = -1

    static func install() -> CancelSignal {
        guard let pipe = try? Pipe.make() else { return CancelSignal(descriptor: -1) }
        Descriptor.setNonBlocking(pipe.writeEnd)
        writeEnd = pipe.writeEnd
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
            signal(signalNumber) { _ in
                var byte: UInt8 = 1
                _ = write(CancelSignal.writeEnd, &byte, 1)
            }
        }
        return CancelSignal(descriptor: pipe.readEnd)
    }

    func trigger() {
        var byte: UInt8 = 1
        _ = write(CancelSignal.writeEnd, &byte, 1)
    }
}
