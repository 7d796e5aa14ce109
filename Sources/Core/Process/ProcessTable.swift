/// Reads /proc for process identity and parentage.
public enum ProcessTable {
    /// The fields of /proc/PID/stat after the command name (which may hold anything, `)` included):
    /// `[0]` is the state (field 3), `[1]` the parent pid, `[19]` the start time (field 22).
    static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = FileBytes.read("/proc/\(pid)/stat", limit: 4096),
              let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        return String(decoding: stat[(close + 1)...], as: UTF8.self).split(separator: " ")
    }

    /// The start time (clock ticks since boot) of a live process; `nil` when there is no such process
    /// or it is a zombie.
    public static func startTicks(_ pid: Int32) -> UInt64? {
        guard let fields = statFields(pid), fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return UInt64(fields[19])
    }

    /// The process's name (/proc/PID/comm); `nil` when there is no such process.
    public static func name(_ pid: Int32) -> String? {
        FileBytes.read("/proc/\(pid)/comm", limit: 64).map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() }
    }

    /// The pids whose parent is `parent`: from each of its threads' /proc/PID/task/TID/children where
    /// the kernel has them, else by reading every process's stat.
    static func children(of parent: Int32) -> [Int32] {
        let lists = FileBytes.names(inDirectory: "/proc/\(parent)/task").compactMap { thread in
            FileBytes.read("/proc/\(parent)/task/\(thread)/children", limit: 1 << 20)
        }
        if !lists.isEmpty {
            return lists.flatMap { String(decoding: $0, as: UTF8.self).split(separator: " ").compactMap { Int32($0) } }
        }
        return FileBytes.names(inDirectory: "/proc").compactMap { name in
            guard let pid = Int32(name), let fields = statFields(pid), fields.count > 1, Int32(fields[1]) == parent else { return nil }
            return pid
        }
    }
}
