/// Reads the CLI's stream-json stdout as it arrives, in any chunks: splits it into lines, hands the
/// text the client may see to ``StreamedText``, and keeps the result line for
/// ``ClaudeOutputInterpreter``.
struct ClaudeStreamReader {
    private var line: [UInt8] = []
    private var lineTooLong = false
    private(set) var text = StreamedText()
    /// The `"type":"result"` line, once it came.
    private(set) var resultLine: [UInt8]?
    /// Longer lines are dropped (an `assistant` line holds a message's whole text).
    let maxLineBytes: Int

    init(maxLineBytes: Int = 32 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Adds stdout bytes; `send` gets each piece of text to pass on.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, send: ([UInt8]) -> Void) {
        var start = 0
        while let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            append(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            finishLine(send: send)
            start = end + 1
        }
        append(UnsafeRawBufferPointer(rebasing: bytes[start...]))
    }

    /// Ends the output: a last line without a newline counts too.
    mutating func finish(send: ([UInt8]) -> Void) {
        if !line.isEmpty || lineTooLong { finishLine(send: send) }
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !lineTooLong else { return }
        if line.count + bytes.count > maxLineBytes {
            lineTooLong = true
            line = []
        } else {
            line.append(contentsOf: bytes)
        }
    }

    private mutating func finishLine(send: ([UInt8]) -> Void) {
        defer {
            line.removeAll(keepingCapacity: line.count < 1 << 20)
            lineTooLong = false
        }
        guard !lineTooLong, !line.isEmpty else { return }
        let meaning = ClaudeStreamLine(line)
        if meaning == .result { resultLine = line }
        let out = text.take(meaning)
        if !out.isEmpty { send(out) }
    }
}
