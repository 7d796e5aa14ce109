/// The members of a JSON object in the order they were written: a client's schema, and the model's
/// value, go on in the order their author gave (a schema that lists `reasoning` before `answer` has
/// the model write its reasoning first).
///
/// Reads like a `Dictionary`: `object["key"]` gets and sets (a new key goes last, a key set again
/// keeps its place, `nil` removes), iteration gives `(key, value)` pairs in order, and a dictionary
/// literal keeps its order.
///
/// Equality is the value's, not the text's: two objects are equal when they hold the same keys with
/// equal values, in any order (JSON gives member order no meaning; RFC 8259 §4).
public struct JSONObject: Sendable {
    public typealias Element = (key: String, value: JSONValue)

    private var members: [Element] = []
    /// Each key's place in `members`.
    private var places: [String: Int] = [:]

    /// An empty object.
    public init() {}

    /// The members in order; a key given twice keeps its first place and its last value.
    public init(_ members: some Sequence<Element>) {
        for (key, value) in members { self[key] = value }
    }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }
    /// The values in the keys' order.
    public var values: [JSONValue] { members.map(\.value) }
    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    /// The value of `key`; setting `nil` removes the key.
    public subscript(key: String) -> JSONValue? {
        get { places[key].map { members[$0].value } }
        set {
            if let place = places[key] {
                if let newValue {
                    members[place].value = newValue
                } else {
                    members.remove(at: place)
                    places[key] = nil
                    for later in place..<members.count { places[members[later].key] = later }
                }
            } else if let newValue {
                _ = insertNew(key, newValue)
            }
        }
    }

    /// Appends `key` unless it is already present; `false` (and no change) when it is.
    mutating func insertNew(_ key: String, _ value: JSONValue) -> Bool {
        guard places.updateValue(members.count, forKey: key) == nil else { return false }
        members.append((key, value))
        return true
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> IndexingIterator<[Element]> { members.makeIterator() }
    public var underestimatedCount: Int { members.count }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// The literal's members in the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.lazy.map { (key: $0.0, value: $0.1) })
    }
}

extension JSONObject: Equatable {
    /// Same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.count == rhs.count && lhs.members.allSatisfy { rhs[$0.key] == $0.value }
    }
}
