import FoundationEssentials

/// The keys file: one entry per caller, with the SHA-256 of its key (never the key) and its limits.
///
///     {"callers": [{"name": "alice", "key_sha256": "<64 hex>", "daily_usd": 5, "monthly_usd": 50,
///       "runs_per_minute": 10, "models": ["sonnet"], "execute": false, "admin": false,
///       "created": "2026-12-05T10:00:00Z"}]}
///
/// An absent limit is no limit; `execute` defaults to true, `admin` to false.
public struct KeysFile: Sendable, Equatable {
    /// One caller's entry.
    public struct Entry: Sendable, Equatable {
        /// `[A-Za-z0-9._-]{1,40}` (``Caller/isWellFormedName(_:)``), unique in the file, never ``Caller/defaultName``.
        public var name: String
        /// `SHA256.hex` of the key: 64 lower-case hexadecimal digits.
        public var keySHA256: String
        public var limits: CallerLimits
        /// When it was added (RFC 3339); absent in entries written by hand.
        public var created: String?

        public init(name: String, keySHA256: String, limits: CallerLimits = CallerLimits(), created: String? = nil) {
            self.name = name
            self.keySHA256 = keySHA256
            self.limits = limits
            self.created = created
        }

        /// The caller a request with this entry's key is from.
        public var caller: Caller { Caller(name: name, limits: limits) }
    }

    public var callers: [Entry]

    public init(callers: [Entry] = []) {
        self.callers = callers
    }

    /// The entry named `name`, if any.
    public func entry(named name: String) -> Entry? {
        callers.first { $0.name == name }
    }

    /// Reads a keys file's bytes and checks every entry.
    /// - Throws: ``KeysFileError`` naming the entry (its position and name) and the field.
    public static func parse(_ bytes: [UInt8]) throws(KeysFileError) -> KeysFile {
        let file: KeysFile
        do {
            file = try JSONDecoder().decode(KeysFile.self, from: Data(bytes))
        } catch let error as KeysFileError {
            throw error
        } catch let error as DecodingError {
            throw KeysFileError(Self.describe(error))
        } catch {
            throw KeysFileError(OneLine.clean(String(describing: error), limit: 200))
        }
        try file.validate()
        return file
    }

    /// The file's bytes: pretty-printed JSON with sorted keys (stable for diffs).
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Plain strings, numbers and booleans: encoding cannot fail.
        guard let data = try? encoder.encode(self) else { return Array(#"{"callers":[]}"#.utf8) }
        return Array(data) + [0x0A]
    }

    /// Checks the rules no decoder holds: names, their uniqueness, the hashes, the limits' ranges.
    public func validate() throws(KeysFileError) {
        var seen: Set<String> = []
        for (index, entry) in callers.enumerated() {
            let label = "entry \(index) (\(Self.quoted(entry.name)))"
            if let problem = Self.nameProblem(entry.name) { throw KeysFileError("\(label): name: \(problem)") }
            guard seen.insert(entry.name).inserted else { throw KeysFileError("\(label): name: used by an earlier entry too") }
            guard Self.isHashHex(entry.keySHA256) else {
                throw KeysFileError("\(label): key_sha256: not 64 lower-case hexadecimal digits (the SHA-256 of the key)")
            }
            for (field, value) in [("daily_usd", entry.limits.dailyUSD), ("monthly_usd", entry.limits.monthlyUSD)] {
                if let value, !(value >= 0 && value.isFinite) { throw KeysFileError("\(label): \(field): not a number of USD (0 or more)") }
            }
            if let runs = entry.limits.runsPerMinute, runs < 0 { throw KeysFileError("\(label): runs_per_minute: below 0") }
            if let models = entry.limits.models, models.contains(where: \.isEmpty) {
                throw KeysFileError("\(label): models: an empty name")
            }
        }
    }

    /// Why `name` cannot be a caller's name, or `nil` when it can.
    public static func nameProblem(_ name: String) -> String? {
        guard (1...Caller.maxNameLength).contains(name.utf8.count) else { return "1 to \(Caller.maxNameLength) characters" }
        guard Caller.isWellFormedName(name) else { return "only letters, digits, '.', '_' and '-'" }
        guard name != Caller.defaultName else { return "'\(Caller.defaultName)' is the token holder's" }
        return nil
    }

    static func isHashHex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    static func quoted(_ name: String) -> String {
        "\"" + OneLine.clean(name, limit: 64) + "\""
    }

    /// A decoder's error as a line naming the entry and the field.
    static func describe(_ error: DecodingError) -> String {
        let (context, problem): (DecodingError.Context, String) = switch error {
        case .typeMismatch(let type, let context): (context, "expected \(Self.kind(type))")
        case .valueNotFound(let type, let context): (context, "expected \(Self.kind(type)), found null")
        case .keyNotFound(let key, let context): (DecodingError.Context(codingPath: context.codingPath + [key], debugDescription: ""), "missing")
        case .dataCorrupted(let context): (context, "not valid JSON: " + OneLine.clean(context.debugDescription, limit: 120))
        @unknown default: (DecodingError.Context(codingPath: [], debugDescription: ""), "unreadable")
        }
        return (Self.place(context.codingPath) + [problem]).joined(separator: ": ")
    }

    /// `entry 2`, `name` style labels for a decoder's path (`callers`, index, field).
    static func place(_ path: [any CodingKey]) -> [String] {
        var parts: [String] = []
        var inCallers = false
        for key in path {
            if let index = key.intValue, inCallers {
                parts.append("entry \(index)")
                inCallers = false
            } else if key.stringValue == "callers", parts.isEmpty {
                inCallers = true
                parts.append("callers")
            } else {
                parts.append(key.intValue.map { "[\($0)]" } ?? key.stringValue)
            }
        }
        if parts.count > 1, parts[0] == "callers" { parts.removeFirst() }
        return parts.isEmpty ? ["the file"] : parts
    }

    static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type, is Int.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String].Type: "a list of strings"
        default: "\(type)"
        }
    }
}

extension KeysFile: Codable {
    enum CodingKeys: String, CodingKey { case callers }
}

extension KeysFile.Entry: Codable {
    enum CodingKeys: String, CodingKey {
        case name, created, models, execute, admin
        case keySHA256 = "key_sha256"
        case dailyUSD = "daily_usd"
        case monthlyUSD = "monthly_usd"
        case runsPerMinute = "runs_per_minute"
    }

    /// Decodes an entry; a field's error names the entry's position and name and the field.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let index = decoder.codingPath.last?.intValue
        let name = (try? container.decode(String.self, forKey: .name))
        let label = "entry \(index.map(String.init) ?? "?")" + (name.map { " (\(KeysFile.quoted($0)))" } ?? "")
        func field<T: Decodable>(_ key: CodingKeys, _ type: T.Type) throws -> T? {
            do {
                return try container.decodeIfPresent(type, forKey: key)
            } catch {
                throw KeysFileError("\(label): \(key.stringValue): expected \(KeysFile.kind(type))")
            }
        }
        guard let name = try field(.name, String.self) else { throw KeysFileError("\(label): name: missing") }
        guard let hash = try field(.keySHA256, String.self) else { throw KeysFileError("\(label): key_sha256: missing") }
        self.name = name
        self.keySHA256 = hash
        self.created = try field(.created, String.self)
        self.limits = CallerLimits(
            dailyUSD: try field(.dailyUSD, Double.self), monthlyUSD: try field(.monthlyUSD, Double.self),
            runsPerMinute: try field(.runsPerMinute, Int.self), models: try field(.models, [String].self),
            mayExecute: try field(.execute, Bool.self) ?? true, isAdmin: try field(.admin, Bool.self) ?? false)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(keySHA256, forKey: .keySHA256)
        try container.encodeIfPresent(limits.dailyUSD, forKey: .dailyUSD)
        try container.encodeIfPresent(limits.monthlyUSD, forKey: .monthlyUSD)
        try container.encodeIfPresent(limits.runsPerMinute, forKey: .runsPerMinute)
        try container.encodeIfPresent(limits.models, forKey: .models)
        try container.encode(limits.mayExecute, forKey: .execute)
        try container.encode(limits.isAdmin, forKey: .admin)
        try container.encodeIfPresent(created, forKey: .created)
    }
}
