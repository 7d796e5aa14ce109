import CLinux
import Glibc

/// `<state-dir>/metrics.counters`: a table of counters in a file that every worker and supervisor of
/// the state directory maps (`MAP_SHARED`). An add is one atomic compare-and-swap on the series'
/// slot, with no lock and no system call, so workers never queue on it (a text file rewritten under
/// a lock per request took 25–130 µs; the table under an `flock(2)` per add held the reject and busy
/// answers to 0.75× the C floor's). It is never the run lock: counting and scraping never wait for a run.
///
/// The table: `slotCount` slots of `slotSize` bytes, found by the series' FNV-1a hash and linear
/// probing. A slot is the value (a `Double`'s bits, 8 bytes, changed only by atomic adds), the name's
/// length (1 byte; 0: free) and the name. Slots are found and read without a lock; only naming a
/// free slot for a new series takes an exclusive `flock` of the file (a handful of times in the
/// file's life), so that two processes never name the same slot. The length is stored last (a release
/// store, read with an acquire load), so a process killed while naming a slot leaves it free, not
/// half named, and a reader that sees a length sees the whole name and a value of 0 or more.
public final class CounterFile: CounterStore, @unchecked Sendable {
    public let path: String
    static let slotCount = 1024
    static let slotSize = 128
    static let maxNameLength = slotSize - 9
    static var fileSize: Int { slotCount * slotSize }

    private var fd: Int32 = -1
    private var table: UnsafeMutableRawPointer?

    public init(stateDirectory: String) {
        path = stateDirectory + "/metrics.counters"
    }

    deinit {
        if let table { munmap(table, Self.fileSize) }
        if fd >= 0 { close(fd) }
    }

    @discardableResult
    public func add(_ series: String, by delta: Double) -> Bool {
        guard let table = mapped() else { return false }
        var series = series
        return series.withUTF8 { name in
            guard !name.isEmpty, name.count <= Self.maxNameLength, let start = name.baseAddress else { return false }
            let name = Name(start: start, count: name.count)
            guard let slot = Self.find(name, in: table) ?? claim(name, in: table) else { return false }
            clinux_atomic_add_double(slot.assumingMemoryBound(to: UInt64.self), delta)
            return true
        }
    }

    public func read() -> [String: Double] {
        guard let table = mapped() else { return [:] }
        var counters: [String: Double] = [:]
        for index in 0..<Self.slotCount {
            let slot = table + index * Self.slotSize
            let length = Int(Self.length(of: slot))
            guard length > 0, length <= Self.maxNameLength else { continue }
            let name = String(decoding: UnsafeRawBufferPointer(start: slot + 9, count: length), as: UTF8.self)
            counters[name] = clinux_atomic_load_double(slot.assumingMemoryBound(to: UInt64.self))
        }
        return counters
    }

    /// The mapping, made at first use: the file is created when missing, and its every block allocated.
    ///
    /// Allocated, not only sized: a store to a mapped page the file system has no block for is a
    /// SIGBUS once the disk is full (a tmpfs state directory filled up killed the worker at its next
    /// new series). `posix_fallocate` allocates the holes, keeps what is written and is a no-op on a
    /// file allocated already; on a full disk it fails, and the counters are off (`add` says false)
    /// until a later request finds room.
    private func mapped() -> UnsafeMutableRawPointer? {
        if let table { return table }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        var code: Int32
        repeat { code = posix_fallocate(descriptor, 0, off_t(Self.fileSize)) } while code == EINTR
        guard code == 0 else {
            close(descriptor)
            return nil
        }
        guard let map = mmap(nil, Self.fileSize, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), map != MAP_FAILED else {
            close(descriptor)
            return nil
        }
        fd = descriptor
        table = map
        return map
    }

    /// Names a free slot for the series, under the file's exclusive lock (a slot named meanwhile by
    /// another process is found again first). `nil` when the table is full or the lock fails.
    private func claim(_ name: Name, in table: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        guard Self.lock(fd, LOCK_EX) else { return nil }
        defer { flock(fd, LOCK_UN) }
        for probe in 0..<Self.slotCount {
            let slot = name.slot(probe, in: table)
            let length = Int(Self.length(of: slot))
            if length == 0 {
                slot.storeBytes(of: Double(0).bitPattern, as: UInt64.self)
                (slot + 9).copyMemory(from: name.start, byteCount: name.count)
                clinux_atomic_store_release_u8(slot.assumingMemoryBound(to: UInt8.self) + 8, UInt8(name.count))
                return slot
            }
            if name.isNamed(slot, length: length) { return slot }
        }
        return nil
    }

    /// The slot named for the series, without a lock; `nil` when there is none yet.
    static func find(_ name: Name, in table: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        for probe in 0..<slotCount {
            let slot = name.slot(probe, in: table)
            let length = Int(length(of: slot))
            if length == 0 { return nil }
            if name.isNamed(slot, length: length) { return slot }
        }
        return nil
    }

    /// A series' name (its UTF-8 bytes, 1 to `maxNameLength` of them) and its FNV-1a hash.
    struct Name {
        let start: UnsafePointer<UInt8>
        let count: Int
        let hash: UInt64

        init(start: UnsafePointer<UInt8>, count: Int) {
            self.start = start
            self.count = count
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in UnsafeBufferPointer(start: start, count: count) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            self.hash = hash
        }

        /// The slot of the `probe`th step of linear probing.
        func slot(_ probe: Int, in table: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
            table + Int((hash &+ UInt64(probe)) % UInt64(CounterFile.slotCount)) * CounterFile.slotSize
        }

        func isNamed(_ slot: UnsafeMutableRawPointer, length: Int) -> Bool {
            length == count && memcmp(slot + 9, start, count) == 0
        }
    }

    static func length(of slot: UnsafeMutableRawPointer) -> UInt8 {
        clinux_atomic_load_acquire_u8(slot.assumingMemoryBound(to: UInt8.self) + 8)
    }

    static func lock(_ fd: Int32, _ operation: Int32) -> Bool {
        if case .success = SystemCall.result({ flock(fd, operation) }) { return true }
        return false
    }
}
