/// A message's content as every dialect sends it: a string, or a list of typed parts (objects with a
/// `type`), each read by the dialect into a turn's ``Turn/Part``. Adjacent texts are joined by a line
/// break, as a text-only turn always was.
enum ContentList {
    /// The reader of one part: its `type`, its fields, where it is; `nil` leaves the part out.
    typealias PartReader = (_ type: String, _ fields: JSONObject, _ place: String) throws(APIError) -> Turn.Part?

    /// - Parameters:
    ///   - place: the content's field (`messages[0].content`); a part is `place[i]`.
    ///   - otherwise: the refusal of a value that is neither a string nor a list.
    static func parts(_ value: JSONValue?, at place: String, otherwise: @autoclosure () -> String,
                      read: PartReader) throws(APIError) -> [Turn.Part] {
        switch value {
        case .string(let text)?:
            return [.text(text)]
        case .array(let items)?:
            var parts: [Turn.Part] = []
            for (index, item) in items.enumerated() {
                if let part = try part(item, at: "\(place)[\(index)]", read: read) { append(part, to: &parts) }
            }
            return parts.isEmpty ? [.text("")] : parts
        default:
            throw .invalidRequest(otherwise())
        }
    }

    /// One item of a content list, read by `read` once it is known to be an object with a `type`.
    static func part(_ item: JSONValue, at place: String, read: PartReader) throws(APIError) -> Turn.Part? {
        guard case .object(let fields) = item else { throw .invalidRequest("\(place) must be an object, not \(item.typeName)") }
        guard case .string(let type)? = fields["type"] else { throw .invalidRequest("\(place).type must be a string") }
        return try read(type, fields, place)
    }

    /// Adds a part: a text after a text joins it, a line break apart.
    static func append(_ part: Turn.Part, to parts: inout [Turn.Part]) {
        if case .text(let text) = part, case .text(var joined)? = parts.last {
            // Taken out first, so that it grows in place: a copy per part would make many parts quadratic.
            parts.removeLast()
            joined += "\n"
            joined += text
            parts.append(.text(joined))
        } else {
            parts.append(part)
        }
    }

    /// A part's string field (`text`, `refusal`); a 400 naming it when it is not a string.
    static func string(_ fields: JSONObject, _ key: String, at place: String) throws(APIError) -> String {
        guard case .string(let text)? = fields[key] else { throw .invalidRequest("\(place).\(key) must be a string") }
        return text
    }

    /// The refusal of an image where the dialect takes none (a system or assistant message).
    static func imageRefused(at place: String) -> APIError {
        .invalidRequest("\(place) is an image; only a user's message or a function's result may hold images")
    }
}
