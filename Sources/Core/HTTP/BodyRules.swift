/// What every request body must be, whatever the endpoint: within the size limit and, when a type is
/// declared, JSON.
public struct BodyRules: Sendable {
    /// Bodies larger than this get 413.
    public var maxBodyBytes: Int

    public static let defaultMaxBodyBytes = 4 << 20

    public init(maxBodyBytes: Int = BodyRules.defaultMaxBodyBytes) {
        self.maxBodyBytes = maxBodyBytes
    }

    public func check(_ request: HTTPRequest) throws(APIError) {
        if request.body.count > maxBodyBytes {
            throw .bodyTooLarge(limit: maxBodyBytes)
        }
        if let type = request.header("content-type"), type != "application/json" {
            let mediaType = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingWhitespace().lowercased() } ?? ""
            guard mediaType == "application/json" else {
                throw .unsupportedMediaType(String(OneLine.clean(type, limit: 100)))
            }
        }
    }
}
