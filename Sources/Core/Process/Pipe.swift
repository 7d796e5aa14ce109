import Glibc

/// A pipe whose two ends are close-on-exec, so no child inherits them unless it is handed them.
struct Pipe {
    var readEnd: Int32
    var writeEnd: Int32

    /// `pipe2` is hidden by the Glibc module; the worker and its supervisor are single-threaded, so no
    /// exec can come between `pipe` and `FD_CLOEXEC`.
    static func make() throws(SystemCallError) -> Pipe {
        var fds: [Int32] = [-1, -1]
        try SystemCall.retrying("cannot create a pipe") { pipe(&fds) }
        var made = Pipe(readEnd: fds[0], writeEnd: fds[1])
        do {
            try Descriptor.setCloseOnExec(made.readEnd)
            try Descriptor.setCloseOnExec(made.writeEnd)
        } catch {
            made.close()
            throw error
        }
        return made
    }

    mutating func close() {
        Descriptor.close(&readEnd)
        Descriptor.close(&writeEnd)
    }
}
