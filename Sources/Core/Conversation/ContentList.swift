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
                let partPlace = "\(place)[\(index)]"
                guard case .object(let fields) = item else { throw .invalidRequest("\(partPlace) must be an object, not \(item.typeName)") }
                guard case .string(let type)? = fields["type"] else { throw .invalidRequest("\(partPlace).type must be a string") }
                guard let part = try read(type, fields, partPlace) else { continue }
                if case .text(let text) = part, case .text(let before)? = parts.last {
                    parts[parts.count - 1] = .text(before + "\n" + text)
                } else {
                    parts.append(part)
                }
            }
            return parts.isEmpty ? [.text("")] : parts
        default:
            throw .invalidRequest(otherwise())
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
