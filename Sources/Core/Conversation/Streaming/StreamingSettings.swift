/// Whether `stream: true` is served, and how often a quiet stream gets a keep-alive comment.
public struct StreamingSettings: Sendable, Equatable {
    /// `--streaming on`; off answers `stream: true` with the original service's 400.
    public var enabled: Bool
    /// Seconds of silence after which a `: keep-alive` comment is sent (`--stream-keep-alive`).
    public var keepAliveSeconds: Double

    public init(enabled: Bool, keepAliveSeconds: Double = 15) {
        self.enabled = enabled
        self.keepAliveSeconds = keepAliveSeconds
    }

    public static let off = StreamingSettings(enabled: false)
}
