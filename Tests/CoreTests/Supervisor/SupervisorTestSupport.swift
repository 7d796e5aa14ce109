import Glibc
@testable import Core

/// A body run on a thread of its own (not the test's task pool, which blocking calls could starve).
final class BackgroundThread: @unchecked Sendable {
    private var thread = pthread_t()
    private final class Body { let run: () -> Void; init(_ run: @escaping () -> Void) { self.run = run } }

    init(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, box)
    }

    func join() {
        pthread_join(thread, nil)
    }
}

/// A value a background thread sets and the test reads after joining it.
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// A directory of its own under /tmp, removed (with all in it) by ``remove()``.
struct ScratchDirectory {
    let path: String

    init(_ name: String) {
        var template = Array("/tmp/claude-fcgi-\(name)-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return "/nonexistent-scratch" }
            return String(cString: made)
        }
    }

    /// Writes an executable `/bin/sh` script; returns its path.
    @discardableResult
    func script(_ name: String, _ body: String) -> String {
        let file = "\(path)/\(name)"
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o755)
        Descriptor.writeAll(fd, Array("#!/bin/sh\n\(body)\n".utf8))
        close(fd)
        return file
    }

    func read(_ name: String) -> String? {
        FileBytes.read("\(path)/\(name)", limit: 1 << 20).map { String(decoding: $0, as: UTF8.self) }
    }

    func remove() {
        _ = try? PosixProcessLauncher().run(
            ProcessSpec(executable: "/bin/rm", arguments: ["-rf", path], environment: [:], workingDirectory: "/", stdin: []),
            limits: ProcessLimits(timeoutSeconds: 10))
    }
}

/// A stand-in claude: reads its prompt, answers `{"type":"result",…}` with `result` printed by `answer`
/// (shell text, e.g. `"$MARK"`), after `before` (shell lines).
func standInClaude(answer: String, before: String = "") -> String {
    """
    cat >/dev/null
    \(before)
    printf '{"type":"result","subtype":"success","is_error":false,"result":"%s","total_cost_usd":0.01}' \(answer)
    """
}

/// A chat plan that runs `executable` in `directory`, with its state there too.
func scratchPlan(_ directory: ScratchDirectory, executable: String, environment: [String: String] = [:],
                 timeoutSeconds: Double = 20, prompt: String = "hello") -> RunPlan {
    RunPlan(
        invocation: ClaudeInvocation(requestID: "req-1", model: "m", prompt: prompt, agent: nil),
        claude: ClaudeSettings(executable: executable, workingDirectory: directory.path, maxBudgetUSD: "1", timeoutSeconds: timeoutSeconds,
                               killGraceSeconds: 1, environment: ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }),
        gitSync: GitSyncSettings(mode: .off, timeoutSeconds: 1), stateDirectory: directory.path, kind: .chat)
}
