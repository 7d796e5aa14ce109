/// How a finished process ended and what it wrote.
public struct ProcessResult: Sendable, Equatable {
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    public var termination: Termination
    /// Stdout, unless it was handed to an observer as it came (see ``ProcessPump``).
    public var stdout: [UInt8]
    /// The tail of stderr (see ``ProcessLimits/stderrTailBytes``).
    public var stderr: [UInt8]
    /// True when the timeout fired and the process group was stopped.
    public var timedOut: Bool
    /// True when the watched descriptor reported end of file and the process group was stopped.
    public var cancelled: Bool

    public init(termination: Termination, stdout: [UInt8], stderr: [UInt8], timedOut: Bool = false, cancelled: Bool = false) {
        self.termination = termination
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
        self.cancelled = cancelled
    }

    /// The last line of stderr that is not blank.
    public var lastStderrLine: Substring? {
        String(decoding: stderr, as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .last { !$0.allSatisfy(\.isWhitespace) }
    }

    /// "<subject> exited with code N: <last stderr line>" or "<subject> was killed by signal N", one
    /// clean line.
    public func failureDetail(subject: String) -> String {
        let lastLine = lastStderrLine
        switch termination {
        case .exited(let code):
            return OneLine.clean("\(subject) exited with code \(code)" + (lastLine.map { ": \($0)" } ?? ""))
        case .signaled(let signal):
            return OneLine.clean("\(subject) was killed by signal \(signal)" + (lastLine.map { ": \($0)" } ?? ""))
        }
    }
}
