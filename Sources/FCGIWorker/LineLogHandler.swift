import Core
import Logging

/// One log line per event on stderr: `2026-11-28T22:05:03Z info claude-fcgi: key=value … message`.
///
/// Leaner than swift-log's `StreamLogHandler`, which formats the local time with `strftime` and
/// merges metadata dictionaries for every line; a worker logs a line for every request, rejected
/// and busy ones included, so the line's cost counts (it was a quarter of the reject path).
struct LineLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    let label: String

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata {
            if fields.isEmpty { fields = extra } else { fields.merge(extra) { $1 } }
        }
        // The line's bytes, copied once each into one buffer and written as they are (one write(2)).
        var line: [UInt8] = []
        line.reserveCapacity(256)
        func append(_ text: String) { line.append(contentsOf: text.utf8) }
        append(UTCSecond.text())
        append(" ")
        append(event.level.rawValue)
        append(" ")
        append(label)
        append(":")
        for key in fields.keys.sorted() {
            append(" ")
            append(key)
            append("=")
            switch fields[key] {
            case .string(let text)?: append(text)
            case let value?: append(value.description)
            case nil: break
            }
        }
        append(" ")
        append(event.message.description)
        append("\n")
        StandardError.write(line)
    }
}
