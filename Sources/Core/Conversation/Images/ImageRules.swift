/// What an image in a request may be, in every dialect, checked before anything runs (each refusal a
/// 400 naming the part): base64 bytes of a JPEG, PNG, GIF or WebP image (told by the bytes, and the
/// declared type must agree) of at most ``maxBytes``, or an https URL; at most ``maxCount`` per request.
public struct ImageRules: Sendable, Equatable {
    /// The most bytes one image may decode to (`--image-max-bytes`; the Anthropic API's 5 MB).
    public var maxBytes: Int
    /// The most images one request may hold (`--max-images`).
    public var maxCount: Int

    /// The longest image URL taken (an https URL is an address, not data).
    static let maxURLBytes = 8192

    public static let defaultMaxBytes = 5 << 20
    public static let defaultMaxCount = 20

    public init(maxBytes: Int = ImageRules.defaultMaxBytes, maxCount: Int = ImageRules.defaultMaxCount) {
        self.maxBytes = maxBytes
        self.maxCount = maxCount
    }

    /// The images of a request as the CLI is given them, each checked.
    /// - Parameter field: what the request calls its turns (`messages`, `input`), for the count's refusal.
    func check(_ images: [ImagePart], field: String) throws(APIError) -> [ImageSource] {
        guard images.count <= maxCount else {
            throw .invalidRequest("\(field) holds \(images.count) image\(images.count == 1 ? "" : "s"); at most \(maxCount) are accepted in one request")
        }
        var sources: [ImageSource] = []
        sources.reserveCapacity(images.count)
        for image in images { sources.append(try check(image)) }
        return sources
    }

    func check(_ image: ImagePart) throws(APIError) -> ImageSource {
        let place = image.place
        switch image.source {
        case .url(let url):
            guard url.utf8.count <= Self.maxURLBytes else {
                throw .invalidRequest("\(place) is a URL of \(url.utf8.count) bytes; the most an image URL may be is \(Self.maxURLBytes) bytes")
            }
            // No whitespace or control character anywhere, the scheme's letters in any case.
            guard url.utf8.count > 8, url.prefix(8).lowercased() == "https://",
                  !url.unicodeScalars.contains(where: { $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) || $0.properties.isWhitespace })
            else { throw .invalidRequest("\(place) must be an https URL or base64 image data; other URLs are not accepted") }
            return .url(url)
        case .base64(let declared, let data):
            guard let scan = Base64Scan(data) else { throw .invalidRequest("\(place) holds image data that is not base64") }
            guard scan.decodedCount <= maxBytes else {
                throw .invalidRequest("\(place) is an image of \(scan.decodedCount) bytes; the most one image may be is \(maxBytes) bytes")
            }
            guard let detected = ImageMediaType.sniff(scan.head) else {
                throw .invalidRequest("\(place) is not a JPEG, PNG, GIF or WebP image")
            }
            let claimed = ImageMediaType.normalized(declared)
            guard claimed == detected else {
                throw .invalidRequest("\(place) declares media type '\(OneLine.clean(declared, limit: 64))' but its bytes are \(detected)")
            }
            return .base64(mediaType: detected, data: data)
        }
    }
}
