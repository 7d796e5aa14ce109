import Glibc

/// Tells whether the run lock is held, without taking it.
public protocol RunLockProbe: Sendable {
    func isHeld() -> Bool
}

/// Looks for an `flock` on the lock file's inode in `/proc/locks`. Trying the lock instead would hold
/// it for a moment, and a chat request arriving then would be answered busy.
public struct ProcLocksProbe: RunLockProbe {
    public let lockPath: String
    let locksPath: String

    public init(lockPath: String, locksPath: String = "/proc/locks") {
        self.lockPath = lockPath
        self.locksPath = locksPath
    }

    public func isHeld() -> Bool {
        var info = stat()
        guard stat(lockPath, &info) == 0, let table = FileBytes.read(locksPath, limit: 1 << 20) else { return false }
        return Self.holds(String(decoding: table, as: UTF8.self), device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Whether a line of `/proc/locks` is a granted FLOCK on that file: `1: FLOCK ADVISORY WRITE 123
    /// 00:2f:4711 0 EOF` (the device as hexadecimal major:minor; waiting locks start with `->`).
    static func holds(_ table: String, device: UInt64, inode: UInt64) -> Bool {
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
        let minor = (device & 0xff) | ((device >> 12) & ~0xff)
        let file = "\(hex(major)):\(hex(minor)):\(inode)"
        return table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count >= 6 && fields[1] == "FLOCK" && fields[5] == file
        }
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return digits.count < 2 ? "0" + digits : digits
    }
}
