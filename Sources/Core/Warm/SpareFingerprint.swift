import Glibc

/// What a claude process read at start and may have kept: the executable it is, the workspace's
/// `CLAUDE.md` files, `.claude/` settings and agents, `.mcp.json`, the same in the CLI's config
/// directory, and the workspace's git `HEAD`. Two takes differ when any of these files was added,
/// removed, replaced, written or had its mode changed, or the executable resolves elsewhere or is no
/// longer executable: a spare started before is stale. (The credentials are not here: a spare is
/// replaced after `--warm-spare-max-age` for them.)
struct SpareFingerprint: Equatable {
    /// One file looked at, and what it was.
    struct Entry: Equatable {
        var path: String
        var signature: FileSignature?
    }

    private(set) var entries: [Entry]
    /// Where the executable resolved to, or why it did not; and whether it could be executed.
    private(set) var executable: String
    private(set) var isExecutable: Bool

    /// Looks at everything `spec`'s process reads at start.
    static func take(_ spec: ProcessSpec) -> SpareFingerprint {
        let resolved = Result { () throws(SpawnError) in try ExecutablePath.resolve(spec.executable, path: spec.environment["PATH"] ?? "") }
        var entries: [Entry] = []
        func look(_ path: String) { entries.append(Entry(path: path, signature: FileSignature.of(path))) }
        func lookInto(_ directory: String) {
            look(directory)
            for name in FileBytes.names(inDirectory: directory).sorted() { look(directory + "/" + name) }
        }
        if case .success(let path) = resolved { look(path) }
        let workspace = spec.workingDirectory
        for name in ["CLAUDE.md", "CLAUDE.local.md", ".mcp.json", ".claude/CLAUDE.md", ".claude/settings.json", ".claude/settings.local.json"] {
            look(workspace + "/" + name)
        }
        lookInto(workspace + "/.claude/agents")
        if let config = ClaudeConfigDirectory.path(in: spec.environment) {
            for name in ["CLAUDE.md", "settings.json"] { look(config + "/" + name) }
            lookInto(config + "/agents")
        }
        for path in gitHeadFiles(workspace: workspace) { look(path) }
        switch resolved {
        case .success(let path): return SpareFingerprint(entries: entries, executable: path, isExecutable: access(path, X_OK) == 0)
        case .failure(let error): return SpareFingerprint(entries: entries, executable: "\(error)", isExecutable: false)
        }
    }

    /// What changed between `self` and `later`, for the log; `nil` when nothing did.
    func change(to later: SpareFingerprint) -> String? {
        if executable != later.executable || isExecutable != later.isExecutable {
            return later.isExecutable ? "the claude executable (now \(later.executable))" : "the claude executable (\(later.executable) cannot be run)"
        }
        let before = Dictionary(entries.map { ($0.path, $0.signature) }, uniquingKeysWith: { first, _ in first })
        if let changed = later.entries.first(where: { before[$0.path] != .some($0.signature) }) { return changed.path }
        let after = Set(later.entries.map(\.path))
        if let gone = entries.first(where: { !after.contains($0.path) }) { return gone.path }
        return nil
    }

    /// The files that say where the workspace's `HEAD` is: `.git/HEAD`, the ref it names, and the packed refs.
    static func gitHeadFiles(workspace: String) -> [String] {
        var gitDirectory = workspace + "/.git"
        if !FileBytes.isDirectory(gitDirectory) {
            // A worktree or submodule: `.git` is a file naming the directory.
            guard let text = FileBytes.read(gitDirectory, limit: 4096).map({ String(decoding: $0, as: UTF8.self) }),
                  text.hasPrefix("gitdir: ") else { return [gitDirectory] }
            let named = text.dropFirst("gitdir: ".count).trimmingWhitespace()
            gitDirectory = named.hasPrefix("/") ? named : workspace + "/" + named
        }
        // A linked worktree keeps its HEAD here and the branches in the main repository (its `commondir`).
        var commonDirectory = gitDirectory
        if let named = FileBytes.read(gitDirectory + "/commondir", limit: 4096).map({ String(decoding: $0, as: UTF8.self).trimmingWhitespace() }),
           !named.isEmpty {
            commonDirectory = named.hasPrefix("/") ? named : gitDirectory + "/" + named
        }
        var files = [gitDirectory + "/HEAD", commonDirectory + "/packed-refs"]
        if let head = FileBytes.read(gitDirectory + "/HEAD", limit: 4096).map({ String(decoding: $0, as: UTF8.self) }), head.hasPrefix("ref: ") {
            let ref = head.dropFirst("ref: ".count).trimmingWhitespace()
            if !ref.contains("..") { files.append(commonDirectory + "/" + ref) }
        }
        return files
    }
}
