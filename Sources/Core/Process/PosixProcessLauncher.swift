/// The real launcher: resolves the executable on the child's `PATH`, starts it with ``Spawn`` in a
/// new session with pipes for its three standard streams, and runs it with a ``ProcessPump``.
public struct PosixProcessLauncher: ProcessLauncher {
    public init() {}

    public func run(_ spec: ProcessSpec, limits: ProcessLimits, cancelOn: [Int32],
                    onStdout: ((UnsafeRawBufferPointer) -> Void)?) throws(SpawnError) -> ProcessResult {
        let executable = try ExecutablePath.resolve(spec.executable, path: spec.environment["PATH"] ?? "")
        var pipes = try ChildPipes.make()
        let pid: Int32
        do {
            pid = try Spawn.start(
                executable: executable, arguments: spec.arguments, environment: spec.environment,
                workingDirectory: spec.workingDirectory,
                descriptors: pipes.childEnds + spec.inherited.sorted { $0.key < $1.key }.map { ($0.value, $0.key) },
                newSession: true, diesWithParent: spec.diesWithParent)
        } catch {
            pipes.closeAll()
            throw error
        }
        pipes.closeChildEnds()
        var pump = ProcessPump(pid: pid, pipes: pipes, limits: limits)
        return pump.run(stdin: spec.stdin, cancelOn: cancelOn, onStdout: onStdout)
    }
}
