/// An image in a turn, as a dialect's decoder read it: not yet checked (``ImageRules`` does that, for
/// every dialect alike), and where the request had it, for the error that names it.
public struct ImagePart: Equatable, Sendable {
    public var source: ImageSource
    /// The request field that held it, e.g. `messages[1].content[2]`.
    public var place: String

    public init(_ source: ImageSource, at place: String) {
        self.source = source
        self.place = place
    }

    /// An image given as a URL: a `data:` URL's base64 bytes, or an https URL (any other is left for
    /// ``ImageRules`` to refuse). A `data:` URL that is not `data:TYPE;base64,DATA` is refused here.
    public static func fromURL(_ url: String, at place: String) throws(APIError) -> ImagePart {
        guard url.prefix(5).lowercased() == "data:" else { return ImagePart(.url(url), at: place) }
        let rest = url.dropFirst(5)
        guard let comma = rest.firstIndex(of: ","), rest[..<comma].lowercased().hasSuffix(";base64") else {
            throw .invalidRequest("\(place) must be a base64 data URL (data:image/png;base64,…) or an https URL")
        }
        let mediaType = String(rest[..<comma].dropLast(";base64".count))
        return ImagePart(.base64(mediaType: mediaType, data: String(rest[rest.index(after: comma)...])), at: place)
    }
}
