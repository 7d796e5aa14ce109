import FoundationEssentials
import Glibc

/// What a claude process read at start and may have kept: the executable it is; the `CLAUDE.md` and
/// `CLAUDE.local.md` of the workspace and every directory above it; the workspace's `.mcp.json`,
/// `.claude/CLAUDE.md`, `.claude/settings(.local).json` and its `agents/`, `commands/`, `skills/`,
/// `rules/` and `output-styles/`; the same in the CLI's config directory; the managed settings in
/// `/etc/claude-code`; the workspace's git `HEAD` and index; the date (the CLI writes today's into its
/// context); and `alsoWatching` (the audit log: every run appends to it, and a run that was not the
/// spare's may have changed the working tree, whose `git status` the CLI also takes at start). Two takes
/// differ when any of these files was added, removed, replaced, written or had its mode changed, the
/// date moved on, or the executable resolves elsewhere or is no longer executable: a spare started before
/// is stale. Not looked at: files a `CLAUDE.md` imports, and the working tree edited by hand (not through a
/// run); `--warm-spare-max-age` bounds those, and the credentials, which the CLI reads at start too.
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
    /// The date in UTC and in the zone the process sees.
    private(set) var dates: [String]

    /// The directories under `.claude/` (of the workspace and of the config directory) read at start.
    static let readDirectories = ["agents", "commands", "skills", "rules", "output-styles"]
    /// Managed settings, which no user setting overrides.
    static let managedFiles = ["/etc/claude-code/managed-settings.json", "/etc/claude-code/managed-mcp.json", "/etc/claude-code/CLAUDE.md"]

    /// Looks at everything `spec`'s process reads at start, and at `alsoWatching`.
    static func take(_ spec: ProcessSpec, alsoWatching: [String] = []) -> SpareFingerprint {
        let resolved = Result { () throws(SpawnError) in try ExecutablePath.resolve(spec.executable, path: spec.environment["PATH"] ?? "") }
        var entries: [Entry] = []
        func look(_ path: String) { entries.append(Entry(path: path, signature: FileSignature.of(path))) }
        func lookInto(_ directory: String, depth: Int = 2) {
            look(directory)
            guard depth > 0 else { return }
            for name in FileBytes.names(inDirectory: directory).sorted() {
                let path = directory + "/" + name
                if FileBytes.isDirectory(path) { lookInto(path, depth: depth - 1) } else { look(path) }
            }
        }
        if case .success(let path) = resolved { look(path) }
        let workspace = spec.workingDirectory
        for directory in [workspace] + ancestors(of: workspace) {
            for name in ["CLAUDE.md", "CLAUDE.local.md"] { look(directory + "/" + name) }
        }
        for name in [".mcp.json", ".claude/CLAUDE.md", ".claude/settings.json", ".claude/settings.local.json"] { look(workspace + "/" + name) }
        for name in readDirectories { lookInto(workspace + "/.claude/" + name) }
        if let config = ClaudeConfigDirectory.path(in: spec.environment) {
            for name in ["CLAUDE.md", "settings.json"] { look(config + "/" + name) }
            for name in readDirectories { lookInto(config + "/" + name) }
        }
        for path in managedFiles + gitFiles(workspace: workspace) + alsoWatching { look(path) }
        let dates = dates(zone: spec.environment["TZ"])
        switch resolved {
        case .success(let path):
            return SpareFingerprint(entries: entries, executable: path, isExecutable: access(path, X_OK) == 0, dates: dates)
        case .failure(let error):
            return SpareFingerprint(entries: entries, executable: "\(error)", isExecutable: false, dates: dates)
        }
    }

    /// What changed between `self` and `later`, for the log; `nil` when nothing did.
    func change(to later: SpareFingerprint) -> String? {
        if executable != later.executable || isExecutable != later.isExecutable {
            return later.isExecutable ? "the claude executable (now \(later.executable))" : "the claude executable (\(later.executable) cannot be run)"
        }
        if dates != later.dates { return "the date" }
        let before = Dictionary(entries.map { ($0.path, $0.signature) }, uniquingKeysWith: { first, _ in first })
        if let changed = later.entries.first(where: { before[$0.path] != .some($0.signature) }) { return changed.path }
        let after = Set(later.entries.map(\.path))
        if let gone = entries.first(where: { !after.contains($0.path) }) { return gone.path }
        return nil
    }

    /// The directories above `path`, nearest first, `/` last.
    static func ancestors(of path: String) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        var found: [String] = []
        while !parts.isEmpty {
            parts.removeLast()
            found.append("/" + parts.joined(separator: "/"))
        }
        return found
    }

    /// Today's date in UTC and in `zone` (the process's `TZ`, else the system's local time): the CLI's
    /// "today" is one of them, and a spare started the day before is stale.
    static func dates(zone: String?) -> [String] {
        let now = Date()
        var local = zone.map { $0.hasPrefix(":") ? String($0.dropFirst()) : $0 } ?? "localtime"
        if local.isEmpty { local = "localtime" }
        return ["UTC", local].map { (try? SpendWindow(timeZone: $0))?.day(of: now) ?? "" }
    }

    /// The files that say where the workspace's `HEAD` is and what its index holds: `.git/HEAD`, the ref it
    /// names, the packed refs, and the index (a `git add`, a checkout, a reset).
    static func gitFiles(workspace: String) -> [String] {
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
        var files = [gitDirectory + "/HEAD", gitDirectory + "/index", commonDirectory + "/packed-refs"]
        if let head = FileBytes.read(gitDirectory + "/HEAD", limit: 4096).map({ String(decoding: $0, as: UTF8.self) }), head.hasPrefix("ref: ") {
            let ref = head.dropFirst("ref: ".count).trimmingWhitespace()
            if !ref.contains("..") { files.append(commonDirectory + "/" + ref) }
        }
        return files
    }
}
