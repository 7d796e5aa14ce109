/// Writes to the process's stderr (a worker's log file, or where spawn-fcgi sends it).
public enum StandardError {
    /// Writes `text` and a newline with one `write(2)`, so that lines from several processes appending
    /// to the same log do not interleave.
    public static func writeLine(_ text: String) {
        write(Array((text + "\n").utf8))
    }

    /// Writes bytes as they are, with one `write(2)` where the kernel allows.
    public static func write(_ bytes: [UInt8]) {
        Descriptor.writeAll(2, bytes)  // not checked: a log that cannot be written has nowhere to say so
    }
}
