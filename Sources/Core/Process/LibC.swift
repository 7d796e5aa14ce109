import Glibc

/// C library functions and constants that Swift's Glibc module hides (GNU extensions, variadic
/// functions), looked up at run time; `nil` where this C library has none.
enum LibC {
    static func function<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    private typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    /// `prctl(2)` is variadic in C, which Swift does not import.
    private static let prctlFunction = function("prctl", as: Prctl.self)

    static let setParentDeathSignal: Int32 = 1   // PR_SET_PDEATHSIG
    static let setChildSubreaper: Int32 = 36     // PR_SET_CHILD_SUBREAPER

    static func prctl(_ option: Int32, _ argument: UInt) -> Int32 {
        prctlFunction?(option, argument, 0, 0, 0) ?? -1
    }

    private typealias CloseRange = @convention(c) (UInt32, UInt32, Int32) -> Int32
    /// glibc's `close_range` (2.34+).
    private static let closeRangeFunction = function("close_range", as: CloseRange.self)

    /// Closes every descriptor from `lowest` to `highest`; safe between `fork` and `exec`.
    static func closeRange(_ lowest: Int32, _ highest: Int32 = Int32.max) {
        guard lowest <= highest else { return }
        if let closeRangeFunction, closeRangeFunction(UInt32(lowest), UInt32(highest), 0) == 0 { return }
        var fd = lowest
        while fd <= min(highest, 65_535) {
            close(fd)
            fd += 1
        }
    }

    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    /// glibc's `pidfd_open` (2.36+, Linux 5.3+).
    private static let pidfdOpenFunction = function("pidfd_open", as: PidfdOpen.self)

    /// A close-on-exec descriptor that polls readable once `pid` has exited; -1 where there is none.
    static func pidfd(_ pid: pid_t) -> Int32 {
        pidfdOpenFunction?(pid, 0) ?? -1
    }

    /// Looks every function up now: a lazy lookup must not first happen in a child between `fork` and
    /// `exec`, where another thread of the parent may have held the lock it takes.
    static func resolveAll() {
        _ = (prctlFunction, closeRangeFunction, pidfdOpenFunction)
    }

    /// `POLLRDHUP` (poll.h, `__USE_GNU`): the peer closed its end of a stream socket.
    static let pollReadHangup: Int16 = 0x2000
}
