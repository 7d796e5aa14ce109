/// Makes text safe to hand to a client as a one-line detail.
public enum OneLine {
    /// Removes ANSI escape sequences and control characters, folds whitespace runs into one space,
    /// trims, and cuts to `limit` characters (ending in `…` when cut).
    public static func clean(_ text: String, limit: Int = 300) -> String {
        // Printable ASCII with no space (a request's path, as a rule) is already clean: the request
        // log line cleans every path, and the scalar by scalar walk below cost more than the request.
        if text.utf8.count <= limit, text.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) { return text }
        var output = ""
        var scalars = text.unicodeScalars.makeIterator()
        var pendingSpace = false
        while let scalar = scalars.next() {
            if scalar == "\u{1B}" {
                skipEscapeSequence(&scalars)
                continue
            }
            if scalar.properties.isWhitespace || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                pendingSpace = !output.isEmpty
                continue
            }
            if scalar.properties.generalCategory == .format || scalar.properties.generalCategory == .control {
                continue
            }
            if pendingSpace { output.unicodeScalars.append(" ") }
            pendingSpace = false
            output.unicodeScalars.append(scalar)
            if output.count > limit { break }
        }
        if output.count > limit {
            return String(output.prefix(limit - 1)) + "…"
        }
        return output
    }

    /// Skips the rest of an escape sequence: CSI (`ESC [ … final`), OSC (`ESC ] … BEL/ST`) or a
    /// two-character escape.
    private static func skipEscapeSequence(_ scalars: inout String.UnicodeScalarView.Iterator) {
        guard let introducer = scalars.next() else { return }
        switch introducer {
        case "[":
            while let next = scalars.next(), !(0x40...0x7E).contains(next.value) {}
        case "]":
            while let next = scalars.next(), next != "\u{07}", next != "\u{1B}" {}
        default:
            return
        }
    }
}
