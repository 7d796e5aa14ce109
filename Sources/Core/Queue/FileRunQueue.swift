import Glibc

/// The line as files in one directory (`<state>/queue/`), shared by every worker process.
///
/// Each waiter holds a ticket file named `<number, 20 digits>-<caller>` and an `flock` on it for as long
/// as it waits; the smallest number is first. A ticket whose `flock` is free belongs to a waiter that
/// died (`kill -9`): whoever finds it removes it. Joining, and removing a dead ticket, happen under an
/// `flock` on the directory itself, so that a ticket is never seen between its creation and its lock
/// (it would look dead), and numbers are handed out in order: one more than the largest ticket there.
/// An empty line leaves an empty directory (no counter file): numbers may start again from 1 then, as
/// nobody is left to be passed.
public struct FileRunQueue: RunQueue {
    public let directory: String

    /// - Parameter directory: the line's directory, made (0700) at the first join if missing.
    public init(directory: String) {
        self.directory = directory
    }

    public func join(caller: String, settings: QueueSettings,
                     tryLock: () throws(RunLockError) -> (any HeldRunLock)?) throws(RunLockError) -> QueueJoin {
        var lockedDirectory = try lockDirectory()
        defer { Descriptor.close(&lockedDirectory) }
        let tickets = Self.names(inDirectory: directory).compactMap(TicketName.init(parsing:)).filter { name in
            !removeIfDead(name.text, directoryDescriptor: lockedDirectory)
        }
        if tickets.isEmpty, let held = try tryLock() { return .acquired(held) }
        let tag = TicketName.tag(caller)
        guard tickets.count < settings.length, tickets.count(where: { $0.tag == tag }) < settings.perCaller else { return .full }
        let name = TicketName(number: (tickets.map(\.number).max() ?? 0) + 1, tag: tag)
        // Watched before the ticket exists, so that no departure after it goes unnoticed.
        var changes = Self.watchDepartures(directory)
        do throws(SystemCallError) {
            var fd = try SystemCall.retrying("cannot create the ticket \(directory)/\(name.text)") {
                openat(lockedDirectory, name.text, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            }
            do throws(SystemCallError) {
                try SystemCall.retrying("cannot lock the ticket \(directory)/\(name.text)") { flock(fd, LOCK_EX | LOCK_NB) }
            } catch {
                unlinkat(lockedDirectory, name.text, 0)
                Descriptor.close(&fd)
                throw error
            }
            return .waiting(Ticket(name: name, directory: directory, fd: fd, changes: changes))
        } catch {
            Descriptor.close(&changes)
            throw RunLockError(error.description)
        }
    }

    /// The directory, open and `flock`ed (exclusive): closing the descriptor unlocks it.
    private func lockDirectory() throws(RunLockError) -> Int32 {
        _ = mkdir(directory, 0o700)  // EEXIST is the usual answer; any other failure shows at open
        do throws(SystemCallError) {
            var fd = try SystemCall.retrying("cannot open the queue directory \(directory)") {
                open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            }
            do throws(SystemCallError) {
                try SystemCall.retrying("cannot lock the queue directory \(directory)") { flock(fd, LOCK_EX) }
            } catch {
                Descriptor.close(&fd)
                throw error
            }
            return fd
        } catch {
            throw RunLockError(error.description)
        }
    }

    /// With the directory locked: removes the ticket when no waiter holds its `flock`. True when it is
    /// gone (removed now, or already).
    private func removeIfDead(_ name: String, directoryDescriptor: Int32) -> Bool {
        var fd: Int32
        switch SystemCall.result({ openat(directoryDescriptor, name, O_RDONLY | O_CLOEXEC) }) {
        case .success(let opened): fd = opened
        case .failure(let code): return code.value == ENOENT
        }
        defer { Descriptor.close(&fd) }
        guard case .success = SystemCall.result({ flock(fd, LOCK_EX | LOCK_NB) }) else { return false }
        unlinkat(directoryDescriptor, name, 0)  // not checked: ENOENT is the only likely failure, and means gone
        return true
    }

    /// Whether a ticket holds its `flock`: a cheap look without the directory's lock. A ticket that
    /// looks dead is checked again under it (``removeDeadTicket(_:)``).
    fileprivate func looksAlive(_ name: String) -> Bool? {
        var fd: Int32
        switch SystemCall.result({ open(directory + "/" + name, O_RDONLY | O_CLOEXEC) }) {
        case .success(let opened): fd = opened
        case .failure: return nil  // gone
        }
        defer { Descriptor.close(&fd) }
        guard case .success = SystemCall.result({ flock(fd, LOCK_EX | LOCK_NB) }) else { return true }
        return false
    }

    /// Removes the ticket if, under the directory's lock, it is still there and dead.
    fileprivate func removeDeadTicket(_ name: String) throws(RunLockError) {
        var lockedDirectory = try lockDirectory()
        defer { Descriptor.close(&lockedDirectory) }
        _ = removeIfDead(name, directoryDescriptor: lockedDirectory)
    }

    /// An inotify descriptor that polls readable when a ticket leaves the directory; -1 when there is
    /// none (the line is then looked at on a timer only).
    private static func watchDepartures(_ directory: String) -> Int32 {
        DirectoryWatch.descriptor(directory, events: Int32(IN_DELETE | IN_MOVED_FROM))
    }

    static func names(inDirectory path: String) -> [String] {
        FileBytes.names(inDirectory: path)
    }

    /// A place in the line: its ticket file, locked, and the watch on departures.
    final class Ticket: QueueTicket {
        let name: TicketName
        let queue: FileRunQueue
        private var fd: Int32
        private var watch: Int32
        private var buffer = [UInt8](repeating: 0, count: 4096)

        init(name: TicketName, directory: String, fd: Int32, changes: Int32) {
            self.name = name
            self.queue = FileRunQueue(directory: directory)
            self.fd = fd
            self.watch = changes
        }

        var number: UInt64 { name.number }
        var changes: Int32? { watch >= 0 ? watch : nil }

        func isFirst() throws(RunLockError) -> Bool {
            DirectoryWatch.drain(watch, using: &buffer)
            // The first ticket ahead of this one, until a live one (not first) or none (first).
            while let ahead = FileRunQueue.names(inDirectory: queue.directory).compactMap(TicketName.init(parsing:))
                .filter({ $0.number < name.number }).min(by: { $0.number < $1.number }) {
                switch queue.looksAlive(ahead.text) {
                case true: return false
                case false: try queue.removeDeadTicket(ahead.text)
                case nil: continue  // left meanwhile
                }
            }
            return true
        }

        func leave() {
            if fd >= 0 { unlink(queue.directory + "/" + name.text) }  // not checked: nothing to do if it fails
            Descriptor.close(&fd)
            Descriptor.close(&watch)
        }

        deinit { leave() }
    }
}

/// A ticket file's name: `<number, 20 digits>-<caller tag>`.
struct TicketName: Equatable {
    let number: UInt64
    let tag: String

    init(number: UInt64, tag: String) {
        self.number = number
        self.tag = tag
    }

    init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count > 21, bytes[20] == UInt8(ascii: "-"), bytes[..<20].allSatisfy({ (48...57).contains($0) }),
              let number = UInt64(String(decoding: bytes[..<20], as: UTF8.self)) else { return nil }
        self.number = number
        self.tag = String(decoding: bytes[21...], as: UTF8.self)
    }

    var text: String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "-" + tag
    }

    /// A caller's name as it can stand in a file name: itself when made of letters, digits, `.`, `_`
    /// and `-` (at most 64, not starting with `.`), else `~` and the start of its SHA-256.
    static func tag(_ caller: String) -> String {
        let bytes = Array(caller.utf8)
        let plain = !bytes.isEmpty && bytes.count <= 64 && bytes[0] != UInt8(ascii: ".") && bytes.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 46 || byte == 95
        }
        return plain ? caller : "~" + SHA256.hex(bytes).prefix(24)
    }
}
