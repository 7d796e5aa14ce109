import Glibc

/// inotify on one directory: a close-on-exec, non-blocking descriptor that polls readable when one of
/// `events` happens to an entry of the directory (not deeper).
enum DirectoryWatch {
    /// The descriptor, or -1 when there can be none (the directory is then looked at on a timer only).
    static func descriptor(_ directory: String, events: Int32) -> Int32 {
        var fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { return -1 }
        if inotify_add_watch(fd, directory, UInt32(events)) < 0 { Descriptor.close(&fd) }
        return fd
    }

    /// Reads the events that came, so that the descriptor polls readable again only at the next.
    static func drain(_ fd: Int32, using buffer: inout [UInt8]) {
        guard fd >= 0 else { return }
        _ = Descriptor.readAvailable(fd, using: &buffer) { _ in }
    }
}
