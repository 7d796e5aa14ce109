import FoundationEssentials
import Glibc

/// The spend ledger as one JSON file per caller in the spend directory (``SpendAccount``):
/// `<directory>/<caller>.json`, read, changed and written under an `flock(2)` of `<caller>.lock`.
///
/// Each call opens the lock file itself, and an flock belongs to the open file description, so the
/// lock excludes the other workers, the other threads of a process, and (on a shared directory) the
/// other hosts; with holds counted as spent, no two runs can both be given the last of a cap. The
/// account is replaced whole (temporary file and rename): a write that fails (full disk, read-only)
/// leaves the old one as it was.
public struct FileSpendLedger: SpendLedger {
    /// The spend directory (created, mode 0700, when it is missing).
    public let directory: String
    public let window: SpendWindow
    private let ids: any IDGenerator

    public init(directory: String, window: SpendWindow, ids: any IDGenerator = RandomIDGenerator()) {
        self.directory = directory
        self.window = window
        self.ids = ids
    }

    /// The ledger of `settings`' spend directory and time zone; an unknown zone is refused.
    public init(settings: CallerSettings) throws(ConfigurationError) {
        self.init(directory: settings.spendDirectory, window: try SpendWindow(timeZone: settings.timeZone))
    }

    public func reserve(for caller: Caller, perRunUSD: Double, holdSeconds: Double, now: Date) throws(APIError) -> SpendHold {
        let id = ids.next()
        let budget = try update(caller.name, now: now) { (account: inout SpendAccount) throws(APIError) in
            try account.reserve(id: id, limits: caller.limits, perRunUSD: perRunUSD, holdSeconds: holdSeconds, now: now, window: window)
        }
        return SpendHold(id: id, caller: caller.name, budgetUSD: budget)
    }

    public func settle(_ hold: SpendHold, costUSD: Double?, now: Date) throws(APIError) {
        try update(hold.caller, now: now) { (account: inout SpendAccount) throws(APIError) in
            account.settle(holdID: hold.id, costUSD: costUSD)
        }
    }

    /// Read without the lock (the account is only ever replaced whole); the reserve is tried on a copy.
    public func check(_ caller: Caller, now: Date) throws(APIError) {
        guard Caller.isWellFormedName(caller.name), var account = try? read(path(caller.name, "json"), now: now) else { return }
        account.roll(to: now, in: window)
        _ = try account.reserve(id: "", limits: caller.limits, perRunUSD: .infinity, holdSeconds: 0, now: now, window: window)
    }

    /// Read without the lock: the account is only ever replaced whole. A caller without an account,
    /// or whose account cannot be read, has spent nothing.
    public func spent(caller: String, now: Date) -> (day: Double, month: Double) {
        guard Caller.isWellFormedName(caller), var account = try? read(path(caller, "json"), now: now) else { return (0, 0) }
        account.roll(to: now, in: window)
        return (account.dayUSD, account.monthUSD)
    }

    /// The file of `caller` with `suffix`.
    public func path(_ caller: String, _ suffix: String) -> String { "\(directory)/\(caller).\(suffix)" }

    /// The largest account read: a few holds and a minute's run starts are far less.
    static let maxAccountBytes = 1 << 20

    /// Runs `change` on the caller's account, rolled to `now`, under its lock, and writes the account
    /// back when `change` returns; when it throws, nothing is written.
    private func update<Result>(_ caller: String, now: Date,
                                _ change: (inout SpendAccount) throws(APIError) -> Result) throws(APIError) -> Result {
        guard Caller.isWellFormedName(caller) else { throw .internalFailure(detail: "no spend account for the caller name '\(caller)'") }
        let lock = try lockAccount(caller)
        defer { close(lock) }  // releases the flock; nothing was written through it
        let file = path(caller, "json")
        var account: SpendAccount
        do {
            account = try read(file, now: now)
        } catch {
            throw .internalFailure(detail: error.description)
        }
        account.roll(to: now, in: window)
        let result = try change(&account)
        let bytes: [UInt8]
        do {
            bytes = Array(try JSONEncoder().encode(account))
        } catch {
            throw .internalFailure(detail: "cannot encode spend account \(file): \(error)")
        }
        do throws(SystemCallError) {
            try AtomicFile.write(bytes, to: file, what: "spend account")
        } catch {
            throw .stateUnwritable(detail: error.description)
        }
        return result
    }

    /// The descriptor of the caller's lock file, locked (waiting for another holder).
    private func lockAccount(_ caller: String) throws(APIError) -> Int32 {
        let file = path(caller, "lock")
        func open() -> Int32 { Glibc.open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        do throws(SystemCallError) {
            var opened = SystemCall.result(open)
            if case .failure(let code) = opened, code.value == ENOENT, mkdir(directory, 0o700) == 0 || errno == EEXIST {
                opened = SystemCall.result(open)
            }
            let fd = try opened.mapError { SystemCallError("cannot open spend lock \(file)", code: $0.value) }.get()
            do throws(SystemCallError) {
                try SystemCall.retrying("cannot lock \(file)") { flock(fd, LOCK_EX) }
            } catch {
                close(fd)
                throw error
            }
            return fd
        } catch {
            throw .stateUnwritable(detail: error.description)
        }
    }

    /// The account in `file`, or a new one when there is none yet.
    private func read(_ file: String, now: Date) throws(SpendAccountError) -> SpendAccount {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.contents(file, limit: Self.maxAccountBytes)
        } catch {
            if error.code == ENOENT { return SpendAccount(window: window, now: now) }
            throw SpendAccountError(description: error.description)
        }
        do {
            return try JSONDecoder().decode(SpendAccount.self, from: Data(bytes))
        } catch {
            throw SpendAccountError(description: "spend account \(file) is malformed: \(error)")
        }
    }
}

/// An account that is there but cannot be read.
struct SpendAccountError: Error, CustomStringConvertible {
    var description: String
}
