import Glibc

/// The CLI's session transcripts on disk: `<config dir>/projects/<working directory, made a name>/<id>.jsonl`
/// (``ClaudeConfigDirectory`` of the run's environment). Found by
/// their id in any project directory, so that the rule for the directory's name is the CLI's alone.
public struct SessionFiles: Sendable, Equatable {
    /// `<config dir>/projects`.
    public let projectsDirectory: String

    public init(projectsDirectory: String) {
        self.projectsDirectory = projectsDirectory
    }

    /// Where the runs of this environment keep their sessions; `nil` when it names no config dir or home.
    public init?(environment: [String: String]) {
        guard let config = ClaudeConfigDirectory.path(in: environment) else { return nil }
        self.init(projectsDirectory: config + "/projects")
    }

    /// The transcript of a session; `nil` when there is none (or the id could name no file).
    public func path(of session: String) -> String? {
        guard SessionID.isValid(session) else { return nil }
        for project in FileBytes.names(inDirectory: projectsDirectory) {
            let candidate = "\(projectsDirectory)/\(project)/\(session).jsonl"
            if access(candidate, F_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Bytes on disk of a session's transcript; 0 when there is none.
    public func size(of session: String) -> Int64 {
        guard let path = path(of: session) else { return 0 }
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Deletes a session's transcript; not an error when it is gone already.
    public func delete(_ session: String) {
        guard let path = path(of: session) else { return }
        unlink(path)  // not checked: gone is what was wanted
    }
}
