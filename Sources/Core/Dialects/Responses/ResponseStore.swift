/// Where responses are kept (``FileResponseStore``), behind a protocol so tests can drive it.
public protocol ResponseStore: Sendable {
    /// The response; `nil` when there is none. Throws when one is there but cannot be read.
    func read(_ id: String) throws(ResponseStoreError) -> StoredResponse?
    /// Writes (or replaces) the response atomically; may prune the store (``ResponseStoreSettings``).
    func write(_ response: StoredResponse) throws(ResponseStoreError)
    /// Deletes the response and its session; false when there was none.
    func delete(_ id: String) -> Bool
    /// Whether a stored response's CLI session is still on disk, so that it can be resumed.
    func hasSession(_ session: String) -> Bool
    /// Deletes a kept CLI session that no stored response will point at (its run gave no answer that
    /// was stored); not an error when it is gone already.
    func deleteSession(_ session: String)
}

/// A stored response could not be read or written (not the client's fault).
public struct ResponseStoreError: StateFileFailure, Equatable, Sendable {
    public var description: String
    public var isUnwritable: Bool

    public init(_ description: String, isUnwritable: Bool = false) {
        self.description = description
        self.isUnwritable = isUnwritable
    }
}

/// How long responses and their sessions are kept, and how much disk they may take.
public struct ResponseStoreSettings: Sendable, Equatable {
    /// Responses older than this are deleted, with their sessions (`--response-max-age-days`).
    public var maxAgeSeconds: Int64
    /// The responses and their sessions together may take this much; the oldest go first
    /// (`--response-store-max-mb`).
    public var maxBytes: Int64

    public init(maxAgeSeconds: Int64, maxBytes: Int64) {
        self.maxAgeSeconds = maxAgeSeconds
        self.maxBytes = maxBytes
    }
}
