import FoundationEssentials
import Glibc

/// The re-send store of a host's workers: one file per ``ResendKey`` in `<state>/resend/`, named by its
/// id (``ResendEntry`` is its format), and `<id>.attached`, touched by a re-send that waits for the run.
///
/// A run's claim is an `flock` on its entry, held by the worker that runs it: the entry is written,
/// locked, to a temporary file and linked into place (`link` fails if one is there: an atomic create
/// that no one sees unlocked). An entry whose lock is free but that says `running` belongs to a worker
/// that died: the next request takes it over. Every replacement or removal of an entry is made under
/// its lock, on the file the path still names: a new locked file renamed over it (a takeover), the
/// answer renamed over it (done), or `unlink` (given up, pruned). Done entries are not locked.
public struct FileResendStore: ResendStore {
    public let directory: String
    let settings: ResendSettings
    let clock: any WallClock

    /// How recently a waiting re-send must have touched its mark to count as attached (it does so each second).
    static let attachedFreshSeconds = 5.0
    /// The least an answer is kept whatever `--resend-window` says: a re-send already waiting for the run
    /// (it looks every 50 ms) gets the answer rather than running again.
    static let leastKeptSeconds = 3

    /// Seconds an answer is kept.
    var keptSeconds: Double { Double(max(settings.windowSeconds, Self.leastKeptSeconds)) }

    public init(directory: String, settings: ResendSettings, clock: any WallClock = SystemWallClock()) {
        self.directory = directory
        self.settings = settings
        self.clock = clock
    }

    func path(_ id: String) -> String { "\(directory)/\(id)" }
    func markPath(_ id: String) -> String { "\(directory)/\(id).attached" }
    private var now: Double { clock.now().timeIntervalSince1970 }

    public func lookup(_ key: ResendKey) -> ResendLookup {
        // A file cut short or not ours is left to ``claim``, which replaces what is not live.
        guard let bytes = FileBytes.read(path(key.id), limit: readLimit), let entry = ResendEntry.decode(bytes) else { return .absent }
        if entry.isDone {
            guard !isExpired(entry) else { return .absent }
            return entry.bodyHash == key.bodyHash ? .done(entry) : .conflict
        }
        guard entry.bodyHash == key.bodyHash else { return .conflict }
        return isLocked(path(key.id)) ? .running : .absent
    }

    public func claim(_ key: ResendKey, replacingAnswer: Bool = false) throws(ResendStoreError) -> (any ResendClaim)? {
        let target = path(key.id)
        let running = ResendEntry(bodyHash: key.bodyHash).encode()
        // A few tries: between two of them another worker removed or replaced the entry.
        for _ in 0..<4 {
            let (fd, temporary) = try lockedFile(running, id: key.id)
            if link(temporary, target) == 0 {
                unlink(temporary)
                return FileClaim(key: key, descriptor: fd)
            }
            let code = errno
            guard code == EEXIST else {
                unlink(temporary)
                close(fd)
                throw ResendStoreError("cannot claim re-send entry \(target): \(Errno.describe(code))")
            }
            switch takeOver(target, with: temporary, replacingAnswer: replacingAnswer) {
            case .taken:
                unlink(markPath(key.id))  // an earlier run's waiters are not this run's
                return FileClaim(key: key, descriptor: fd)
            case .inUse:
                unlink(temporary)
                close(fd)
                return nil
            case .gone:
                unlink(temporary)
                close(fd)
            }
        }
        return nil
    }

    public func complete(_ claim: any ResendClaim, answer: HTTPResponse, requestID: String?) throws(ResendStoreError) {
        guard let claim = claim as? FileClaim else { return }
        let id = claim.key.id
        defer {
            claim.release()
            unlink(markPath(id))
        }
        let entry = ResendEntry(bodyHash: claim.key.bodyHash, response: answer, storedAt: Int64(now), requestID: requestID)
        let bytes = entry.encode()
        guard Int64(bytes.count) <= settings.maxBytes else {
            unlink(path(id))
            return
        }
        do throws(SystemCallError) {
            // Not synced: an answer lost in a crash of the machine costs a run, not a wrong answer.
            try AtomicFile.write(bytes, to: path(id), what: "re-send answer", synced: false)
        } catch {
            unlink(path(id))
            throw ResendStoreError(error.description)
        }
        prune()
    }

    public func abandon(_ claim: any ResendClaim) {
        guard let claim = claim as? FileClaim else { return }
        unlink(path(claim.key.id))  // ours while locked: no one else replaces or removes it
        claim.release()
        unlink(markPath(claim.key.id))
    }

    public func markAttached(_ key: ResendKey) {
        let fd = open(markPath(key.id), O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }  // the owner then cancels at its grace's end, as without a re-send
        futimens(fd, nil)
        close(fd)
    }

    public func isAttached(_ key: ResendKey) -> Bool {
        var info = stat()
        guard stat(markPath(key.id), &info) == 0 else { return false }
        var realNow = timespec()
        clock_gettime(CLOCK_REALTIME, &realNow)
        return Double(realNow.tv_sec - info.st_mtim.tv_sec) <= Self.attachedFreshSeconds
    }

    /// Removes expired answers, then the oldest entries while there are more than `maxAnswers` or
    /// they take more than `maxBytes`; a run's claimed entry stays. Leftovers (temporary files, marks)
    /// older than the window go too.
    func prune() {
        let now = self.now
        let window = keptSeconds
        var entries: [(name: String, time: Double, size: Int64)] = []
        for name in FileBytes.names(inDirectory: directory) {
            var info = stat()
            guard stat("\(directory)/\(name)", &info) == 0 else { continue }
            let time = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            if Self.isEntryName(name) {
                entries.append((name, time, Int64(info.st_size)))
            } else if time + window <= now {
                unlink("\(directory)/\(name)")
            }
        }
        entries.sort { $0.time < $1.time }
        var count = entries.count
        var bytes = entries.reduce(0) { $0 + $1.size }
        for entry in entries where entry.time + window <= now || count > settings.maxAnswers || bytes > settings.maxBytes {
            if remove(entry.name) {
                count -= 1
                bytes -= entry.size
            }
        }
    }

    static func isEntryName(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private var readLimit: Int { Int(min(settings.maxBytes, 1 << 40)) + (64 << 10) }

    private func isExpired(_ entry: ResendEntry) -> Bool {
        Double(entry.storedAt) + keptSeconds <= now
    }

    /// Whether a run holds the entry at `path`.
    private func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }

    /// A new file beside the entries with `bytes` in it, locked; its descriptor and path.
    private func lockedFile(_ bytes: [UInt8], id: String) throws(ResendStoreError) -> (Int32, String) {
        let temporary = "\(directory)/.\(id).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).claim"
        var fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 && errno == ENOENT {
            mkdir(directory, 0o700)  // not checked: the open says what is wrong
            fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { throw ResendStoreError("cannot claim a re-send entry in \(directory): \(Errno.describe(errno))") }
        guard flock(fd, LOCK_EX) == 0, Descriptor.writeAll(fd, bytes) else {
            let code = errno
            close(fd)
            unlink(temporary)
            throw ResendStoreError("cannot write re-send entry \(temporary): \(Errno.describe(code))")
        }
        return (fd, temporary)
    }

    private enum TakeOver { case taken, inUse, gone }

    /// Replaces the entry at `target` with the locked file `temporary` when no run holds it and it is
    /// no live answer (or any answer, when `replacingAnswer`).
    private func takeOver(_ target: String, with temporary: String, replacingAnswer: Bool) -> TakeOver {
        let old = open(target, O_RDONLY | O_CLOEXEC)
        guard old >= 0 else { return .gone }
        defer { close(old) }  // after the rename: no one takes the old file over meanwhile
        guard flock(old, LOCK_EX | LOCK_NB) == 0 else { return .inUse }
        guard Self.names(old, target) else { return .gone }
        if !replacingAnswer, let bytes = FileBytes.read(target, limit: readLimit), let entry = ResendEntry.decode(bytes), entry.isDone, !isExpired(entry) {
            return .inUse
        }
        return rename(temporary, target) == 0 ? .taken : .gone
    }

    /// Removes the entry `name` unless a run holds it; whether it did.
    private func remove(_ name: String) -> Bool {
        let target = "\(directory)/\(name)"
        let fd = open(target, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0, Self.names(fd, target) else { return false }
        unlink(target)
        unlink("\(target).attached")
        return true
    }

    /// Whether `path` still names the file open at `fd`.
    private static func names(_ fd: Int32, _ path: String) -> Bool {
        var open = stat()
        var named = stat()
        return fstat(fd, &open) == 0 && stat(path, &named) == 0 && open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// A run's hold on its entry: the entry's lock, until released.
    final class FileClaim: ResendClaim {
        let key: ResendKey
        private var descriptor: Int32

        init(key: ResendKey, descriptor: Int32) {
            self.key = key
            self.descriptor = descriptor
        }

        func release() {
            Descriptor.close(&descriptor)
        }

        deinit { release() }
    }
}
