import Glibc

/// Finds the file an executable name stands for, as a shell would.
public enum ExecutablePath {
    /// As given when it holds a `/`, else the first executable match in the directories of `path`.
    public static func resolve(_ executable: String, path: String) throws(SpawnError) -> String {
        if executable.contains("/") {
            guard access(executable, F_OK) == 0 else { throw .notFound(executable) }
            guard access(executable, X_OK) == 0 else { throw .notExecutable(executable) }
            return executable
        }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw .notFound("\(executable) (searched PATH)")
    }
}
