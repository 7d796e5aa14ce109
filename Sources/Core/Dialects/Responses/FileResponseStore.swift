import Glibc

/// One file per response in `<state-dir>/responses` (``StoredResponse/fileBytes``), written atomically.
/// A write prunes, at most once a minute across workers: records older than the age limit go, then the
/// oldest until the records and their CLI sessions fit the size limit (a background response whose end
/// has not been read is spared that); a record's session goes with it.
public struct FileResponseStore: ResponseStore {
    public let directory: String
    public let sessions: SessionFiles?
    public let settings: ResponseStoreSettings
    let clock: any WallClock

    public init(directory: String, sessions: SessionFiles?, settings: ResponseStoreSettings, clock: any WallClock = SystemWallClock()) {
        self.directory = directory
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
    }

    func path(_ id: String) -> String { "\(directory)/\(id).json" }

    public func read(_ id: String) throws(ResponseStoreError) -> StoredResponse? {
        guard ResponseID.isValid(id), let bytes = FileBytes.read(path(id), limit: 256 << 20), !bytes.isEmpty else { return nil }
        guard let record = StoredResponse(fileBytes: bytes) else {
            throw ResponseStoreError("response \(id): its record cannot be read")
        }
        return record
    }

    public func write(_ response: StoredResponse) throws(ResponseStoreError) {
        do throws(SystemCallError) {
            if !FileBytes.isDirectory(directory) {
                // Made here on first use: the state directory is ours, this one inside it too.
                _ = mkdir(directory, 0o700)
            }
            // Not synced: the CLI writes the session a record points at without syncing it either, so a
            // crash loses the continuation whatever we do; a record a crash left empty reads as none.
            try AtomicFile.write(response.fileBytes, to: path(response.id), what: "stored response", synced: false)
        } catch {
            throw ResponseStoreError(error.description, isUnwritable: true)
        }
        if pruneIsDue() { prune(keeping: response.id) }
    }

    /// Seconds between prunings: a pruning reads every record, too much to do with each response.
    static let pruneIntervalSeconds: Int64 = 60

    /// Whether the last pruning (the time of `.pruned` in the directory, shared by every worker) is a
    /// ``pruneIntervalSeconds`` ago; if so, it is marked done now.
    func pruneIsDue() -> Bool {
        let marker = "\(directory)/.pruned"
        var info = stat()
        let now = clock.secondsSinceEpoch()
        if stat(marker, &info) == 0, now - Int64(info.st_mtim.tv_sec) < Self.pruneIntervalSeconds, Int64(info.st_mtim.tv_sec) <= now {
            return false
        }
        let fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return true }
        var times = [timespec(tv_sec: Int(now), tv_nsec: 0), timespec(tv_sec: Int(now), tv_nsec: 0)]
        futimens(fd, &times)  // not checked: at worst the next write prunes again
        close(fd)
        return true
    }

    public func delete(_ id: String) -> Bool {
        guard ResponseID.isValid(id) else { return false }
        let session = (try? read(id))?.session_id
        guard unlink(path(id)) == 0 else { return false }
        if let session { sessions?.delete(session) }
        return true
    }

    public func deleteSession(_ session: String) {
        sessions?.delete(session)
    }

    public func hasSession(_ session: String) -> Bool {
        // Without a known place for sessions, the CLI's own answer decides.
        guard let sessions else { return true }
        return sessions.path(of: session) != nil
    }

    /// Deletes what is too old, then the oldest until the rest fits; never `kept` (just written).
    func prune(keeping kept: String) {
        let cutoff = clock.secondsSinceEpoch() - settings.maxAgeSeconds
        var records: [(id: String, created: Int64, bytes: Int64, session: String, running: Bool)] = []
        for name in FileBytes.names(inDirectory: directory) where name.hasSuffix(".json") {
            let id = String(name.dropLast(5))
            guard ResponseID.isValid(id), let record = try? read(id) else { continue }
            var info = stat()
            let bytes = stat(path(id), &info) == 0 ? Int64(info.st_size) : 0
            let sessionBytes = sessions?.size(of: record.session_id) ?? 0
            // A background response whose end has not been read goes only when too old.
            records.append((id, record.created_at, bytes + sessionBytes, record.session_id, record.in_progress))
        }
        records.sort { $0.created < $1.created }
        var total = records.reduce(0) { $0 + $1.bytes }
        for record in records where record.id != kept {
            guard record.created < cutoff || (total > settings.maxBytes && !record.running) else { continue }
            unlink(path(record.id))  // not checked: gone is what was wanted
            sessions?.delete(record.session)
            total -= record.bytes
        }
    }
}
