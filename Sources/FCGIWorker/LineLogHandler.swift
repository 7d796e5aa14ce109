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
        var line = UTCSecond.text() + " \(event.level) \(label):"
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        for key in fields.keys.sorted() {
            line += " \(key)=\(fields[key].map { "\($0)" } ?? "")"
        }
        line += " \(event.message)\n"
        StandardError.write(Array(line.utf8))
    }
}
