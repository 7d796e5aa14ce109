import Core
import Glibc

/// `claude-fcgi exec-child --parent-pid=N -- PATH ARGS…`: becomes PATH, killed when its parent (the
/// run supervisor) dies.
enum ExecChild {
    static func run(_ arguments: [String]) -> Never {
        guard arguments.count >= 3, arguments[0].hasPrefix("--parent-pid="), arguments[1] == "--",
              let parent = pid_t(arguments[0].dropFirst("--parent-pid=".count)) else {
            fail("usage: claude-fcgi exec-child --parent-pid=N -- PATH [ARGS…]")
        }
        fail(ProcessControl.execDyingWithParent(parentPID: parent, path: arguments[2], arguments: Array(arguments.dropFirst(3))))
    }

    static func fail(_ message: String) -> Never {
        let line = Array("claude-fcgi exec-child: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(127)
    }
}
