/// Why a process could not be started.
public enum SpawnError: Error, Equatable, Sendable {
    case notFound(String)
    case notExecutable(String)
    case failed(String)
}
