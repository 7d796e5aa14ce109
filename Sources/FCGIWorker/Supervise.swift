import Core
import Glibc

/// `claude-fcgi supervise --name=value …`: the per-run supervisor (see `RunSupervisor`). Started by a
/// worker with the run lock as fd 3 and the prompt on stdin; reports the outcome on stdout or in the
/// job's record.
enum Supervise {
    static func run(_ arguments: [String]) -> Never {
        let options: SupervisorOptions
        do {
            options = try SupervisorOptions(arguments: arguments, environment: ProcessEnvironment.current())
        } catch {
            logError(error.description)
            exit(64)
        }
        exit(RunSupervisor.run(options, logError: logError))
    }

    static func logError(_ message: String) {
        let line = Array((message + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
