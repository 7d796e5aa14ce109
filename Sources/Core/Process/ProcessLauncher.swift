/// Starts a process, feeds its stdin, collects its output and enforces its time limit.
public protocol ProcessLauncher: Sendable {
    /// Runs the process to its end. When one of the `cancelOn` descriptors reaches end of file (its
    /// writer closed it or died), or a pipe among them turns readable, the process group is stopped as
    /// on a timeout. When `onStdout` is given, stdout goes to it chunk by chunk as it arrives instead of
    /// into the result.
    func run(_ spec: ProcessSpec, limits: ProcessLimits, cancelOn: [Int32],
             onStdout: ((UnsafeRawBufferPointer) -> Void)?) throws(SpawnError) -> ProcessResult
}

extension ProcessLauncher {
    public func run(_ spec: ProcessSpec, limits: ProcessLimits, cancelOn: [Int32] = []) throws(SpawnError) -> ProcessResult {
        try run(spec, limits: limits, cancelOn: cancelOn, onStdout: nil)
    }
}
