import Glibc

/// C library functions and constants that Swift's Glibc module hides (GNU extensions, variadic
/// functions), looked up at run time; `nil` where this C library has none.
enum LibC {
    static func function<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    /// `prctl(2)` is variadic in C, which Swift does not import.
    static let prctlFunction = function("prctl", as: Prctl.self)

    static let setParentDeathSignal: Int32 = 1   // PR_SET_PDEATHSIG
    static let setChildSubreaper: Int32 = 36     // PR_SET_CHILD_SUBREAPER
    static let setName: Int32 = 15               // PR_SET_NAME

    static func prctl(_ option: Int32, _ argument: UInt) -> Int32 {
        prctlFunction?(option, argument, 0, 0, 0) ?? -1
    }

    typealias CloseRange = @convention(c) (UInt32, UInt32, Int32) -> Int32
    /// glibc's `close_range` (2.34+).
    static let closeRangeFunction = function("close_range", as: CloseRange.self)

    /// Closes every descriptor from `lowest` to `highest`.
    static func closeRange(_ lowest: Int32, _ highest: Int32 = Int32.max) {
        closeRange(closeRangeFunction, lowest, highest)
    }

    /// Closes every descriptor from `lowest` to `highest` with the function given: between `clone` and
    /// `exec`, where no lazy global may be touched.
    static func closeRange(_ function: CloseRange?, _ lowest: Int32, _ highest: Int32) {
        guard lowest <= highest else { return }
        if let function, function(UInt32(lowest), UInt32(highest), 0) == 0 { return }
        var fd = lowest
        while fd <= min(highest, 65_535) {
            close(fd)
            fd += 1
        }
    }

    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    /// glibc's `mallopt`, which the Glibc module leaves out.
    static let mallopt = function("mallopt", as: Mallopt.self)
    static let mallocTrimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
    static let mallocMmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD

    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    /// glibc's `pidfd_open` (2.36+, Linux 5.3+).
    private static let pidfdOpenFunction = function("pidfd_open", as: PidfdOpen.self)

    /// A close-on-exec descriptor that polls readable once `pid` has exited; -1 where there is none.
    static func pidfd(_ pid: pid_t) -> Int32 {
        pidfdOpenFunction?(pid, 0) ?? -1
    }

    typealias ChildMain = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    typealias Clone = @convention(c) (ChildMain, UnsafeMutableRawPointer?, Int32, UnsafeMutableRawPointer?) -> Int32
    /// glibc's `clone` wrapper (variadic in C; the three arguments after `arg` are not used here).
    static let clone = function("clone", as: Clone.self)

    /// `POLLRDHUP` (poll.h, `__USE_GNU`): the peer closed its end of a stream socket.
    static let pollReadHangup: Int16 = 0x2000
}
