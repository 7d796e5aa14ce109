import Glibc

/// `<state-dir>/metrics.counters`: a table of counters in a file that every worker and supervisor of
/// the state directory maps (`MAP_SHARED`), changed under an exclusive `flock(2)` of the file itself
/// and read under a shared one. An add is a few memory writes under the lock, so workers never queue
/// on it (a text file read, parsed and rewritten per request took 25–130 µs under the lock and halved
/// the busy answers a second). It is never the run lock: counting and scraping never wait for a run.
///
/// The table: `slotCount` slots of `slotSize` bytes, found by the series' FNV-1a hash and linear
/// probing. A slot is the value (a `Double`'s bits, 8 bytes), the name's length (1 byte; 0: free)
/// and the name. The length is written last, so a process killed while adding a series leaves a free
/// slot, not half a name.
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
    public func add(_ deltas: [String: Double]) -> Bool {
        guard !deltas.isEmpty else { return true }
        guard let table = mapped(), Self.lock(fd, LOCK_EX) else { return false }
        defer { flock(fd, LOCK_UN) }
        var all = true
        for (series, delta) in deltas {
            guard let slot = Self.slot(of: series, in: table, inserting: true) else { all = false; continue }
            let value = slot.load(as: UInt64.self)
            slot.storeBytes(of: (Double(bitPattern: value) + delta).bitPattern, as: UInt64.self)
        }
        return all
    }

    public func read() -> [String: Double] {
        guard let table = mapped(), Self.lock(fd, LOCK_SH) else { return [:] }
        defer { flock(fd, LOCK_UN) }
        var counters: [String: Double] = [:]
        for index in 0..<Self.slotCount {
            let slot = table + index * Self.slotSize
            let length = Int(slot.load(fromByteOffset: 8, as: UInt8.self))
            guard length > 0, length <= Self.maxNameLength else { continue }
            let name = String(decoding: UnsafeRawBufferPointer(start: slot + 9, count: length), as: UTF8.self)
            counters[name] = Double(bitPattern: slot.load(as: UInt64.self))
        }
        return counters
    }

    /// The mapping, made at first use: the file is created (and sized, under the lock) when missing.
    private func mapped() -> UnsafeMutableRawPointer? {
        if let table { return table }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        if fstat(descriptor, &info) != 0 || Int(info.st_size) < Self.fileSize {
            guard Self.lock(descriptor, LOCK_EX), ftruncate(descriptor, off_t(Self.fileSize)) == 0 else {
                close(descriptor)
                return nil
            }
            flock(descriptor, LOCK_UN)
        }
        guard let map = mmap(nil, Self.fileSize, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), map != MAP_FAILED else {
            close(descriptor)
            return nil
        }
        fd = descriptor
        table = map
        return map
    }

    /// The series' slot: the one holding it, or with `inserting`, a free one now named for it at 0.
    /// `nil` when the name is too long or the table is full.
    static func slot(of series: String, in table: UnsafeMutableRawPointer, inserting: Bool) -> UnsafeMutableRawPointer? {
        let name = Array(series.utf8)
        guard !name.isEmpty, name.count <= maxNameLength else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for probe in 0..<slotCount {
            let slot = table + Int((hash &+ UInt64(probe)) % UInt64(slotCount)) * slotSize
            let length = Int(slot.load(fromByteOffset: 8, as: UInt8.self))
            if length == 0 {
                guard inserting else { return nil }
                slot.storeBytes(of: Double(0).bitPattern, as: UInt64.self)
                name.withUnsafeBytes { (slot + 9).copyMemory(from: $0.baseAddress!, byteCount: name.count) }
                slot.storeBytes(of: UInt8(name.count), toByteOffset: 8, as: UInt8.self)
                return slot
            }
            if length == name.count, memcmp(slot + 9, name, name.count) == 0 { return slot }
        }
        return nil
    }

    static func lock(_ fd: Int32, _ operation: Int32) -> Bool {
        while flock(fd, operation) != 0 {
            guard errno == EINTR else { return false }
        }
        return true
    }
}
