/// What every request body must be, whatever the endpoint: within the size limit of its route (larger
/// for the conversation routes, whose requests may carry images) and, when a type is declared, JSON.
public struct BodyRules: Sendable {
    /// Bodies larger than this get 413 (`--max-body-bytes`).
    public var maxBodyBytes: Int
    /// The limit of the routes that take images: chat completions, Responses, Messages
    /// (`--max-conversation-body-bytes`).
    public var maxConversationBodyBytes: Int

    public static let defaultMaxBodyBytes = 4 << 20
    public static let defaultMaxConversationBodyBytes = 32 << 20

    public init(maxBodyBytes: Int = BodyRules.defaultMaxBodyBytes, maxConversationBodyBytes: Int = BodyRules.defaultMaxConversationBodyBytes) {
        self.maxBodyBytes = maxBodyBytes
        self.maxConversationBodyBytes = maxConversationBodyBytes
    }

    /// The limit of a route that takes images (``Route/carriesImages``) or not.
    public func limit(carriesImages: Bool) -> Int {
        carriesImages ? maxConversationBodyBytes : maxBodyBytes
    }

    /// - Parameter carriesImages: the route takes images (``Route/carriesImages``).
    public func check(_ request: HTTPRequest, carriesImages: Bool = false) throws(APIError) {
        let limit = limit(carriesImages: carriesImages)
        if request.body.count > limit {
            throw .bodyTooLarge(limit: limit)
        }
        if let type = request.header("content-type"), type != "application/json" {
            let mediaType = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingWhitespace().lowercased() } ?? ""
            guard mediaType == "application/json" else {
                throw .unsupportedMediaType(String(OneLine.clean(type, limit: 100)))
            }
        }
    }
}
