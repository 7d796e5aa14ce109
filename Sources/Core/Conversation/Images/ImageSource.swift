/// Where an image's bytes are: in the request (base64, checked here) or at an https URL that the
/// Anthropic API fetches (never this host).
public enum ImageSource: Equatable, Sendable {
    case base64(mediaType: String, data: String)
    case url(String)

    /// The length of its text (base64 data or URL): what it adds to the CLI's input.
    var byteCount: Int {
        switch self {
        case .base64(_, let data): data.utf8.count
        case .url(let url): url.utf8.count
        }
    }

    /// The Messages API's image block of this source: what the CLI passes on to the API unchanged.
    var block: JSONValue {
        let source: JSONObject = switch self {
        case .base64(let mediaType, let data): ["type": .string("base64"), "media_type": .string(mediaType), "data": .string(data)]
        case .url(let url): ["type": .string("url"), "url": .string(url)]
        }
        return .object(["type": .string("image"), "source": .object(source)])
    }
}
