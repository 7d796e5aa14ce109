/// The real launcher: resolves the executable on the child's `PATH`, starts it with ``Spawn`` in a
/// new session with pipes for its three standard streams, and runs it with a ``ProcessPump``; or starts
/// it and leaves it waiting for its input (``start(_:)``).
public struct PosixProcessLauncher: ProcessLauncher {
    public init() {}

    public func run(_ spec: ProcessSpec, limits: ProcessLimits, cancelOn: [Int32],
                    onStdout: ((UnsafeRawBufferPointer) -> Void)?) throws(SpawnError) -> ProcessResult {
        var started = try start(spec)
        return started.run(stdin: spec.stdin, limits: limits, cancelOn: cancelOn, onStdout: onStdout)
    }

    /// Starts the process and returns it before anything is written to its stdin (`spec.stdin` is not
    /// used): for a process started ahead of its input.
    public func start(_ spec: ProcessSpec) throws(SpawnError) -> StartedProcess {
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
        return StartedProcess(pid: pid, pipes: pipes)
    }
}
