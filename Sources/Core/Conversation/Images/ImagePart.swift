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

    /// The longest `data:…;base64` head of a data URL.
    static let maxDataURLHeader = 256

    /// An image given as a URL: a `data:` URL's base64 bytes, or an https URL (any other is left for
    /// ``ImageRules`` to refuse). A `data:` URL that is not `data:TYPE;base64,DATA` is refused here.
    public static func fromURL(_ url: String, at place: String) throws(APIError) -> ImagePart {
        let utf8 = url.utf8
        guard utf8.count >= 5, utf8.prefix(5).map({ $0 | 0x20 }) == Array("data:".utf8) else { return ImagePart(.url(url), at: place) }
        // The header (`data:image/png;base64`) is short: its comma is looked for in the first bytes only.
        guard let comma = utf8.prefix(Self.maxDataURLHeader).firstIndex(of: UInt8(ascii: ",")),
              let header = String(url.utf8[..<comma]), header.lowercased().hasSuffix(";base64")
        else { throw .invalidRequest("\(place) must be a base64 data URL (data:image/png;base64,…) or an https URL") }
        let mediaType = String(header.dropFirst(5).dropLast(";base64".count))
        return ImagePart(.base64(mediaType: mediaType, data: String(url[url.utf8.index(after: comma)...])), at: place)
    }
}
