/// What to start: an executable with arguments, environment, working directory and stdin bytes.
public struct ProcessSpec: Sendable, Equatable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    public var workingDirectory: String
    public var stdin: [UInt8]
    /// Further descriptors the child gets: child descriptor number → the parent's descriptor.
    public var inherited: [Int32: Int32]
    /// The child is killed (SIGKILL) by the kernel when the process that started it dies
    /// (`PR_SET_PDEATHSIG`), so that it cannot run on without its supervisor.
    public var diesWithParent: Bool

    public init(executable: String, arguments: [String], environment: [String: String], workingDirectory: String, stdin: [UInt8],
                inherited: [Int32: Int32] = [:], diesWithParent: Bool = false) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdin = stdin
        self.inherited = inherited
        self.diesWithParent = diesWithParent
    }
}
