/// The Prometheus text exposition format (version 0.0.4): families with `# HELP` and `# TYPE`, one
/// `series value` line per sample.
public struct PrometheusText: Sendable {
    /// The `Content-Type` of a scrape.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private(set) var text = ""

    public init() {}

    /// Appends a family: its help, its type (`counter`, `gauge`, `histogram`) and its samples, each a
    /// full series name (`name{label="value"}`) and its value, in the order given.
    mutating func family(_ name: String, type: String, help: String, samples: [(series: String, value: Double)]) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for sample in samples { text += "\(sample.series) \(Self.number(sample.value))\n" }
    }

    /// A series name: `name` alone, or with its labels in the order given. Values are escaped as the
    /// format asks (backslash, double quote, newline).
    static func series(_ name: String, _ labels: KeyValuePairs<String, String> = [:]) -> String {
        guard !labels.isEmpty else { return name }
        let inner = labels.map { key, value in
            var escaped = ""
            for character in value {
                switch character {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.append(character)
                }
            }
            return "\(key)=\"\(escaped)\""
        }
        return "\(name){\(inner.joined(separator: ","))}"
    }

    /// Whole numbers without a fraction (`12`), others as Swift writes them (`0.0125`).
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
