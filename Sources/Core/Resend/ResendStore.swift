/// Where the answers of re-sendable requests are kept, across the workers of a host: a run in
/// progress is *claimed* by its worker until it is over, then its answer is stored (or the claim given
/// up) for the re-sends of the same request (``ResendGuard``).
public protocol ResendStore: Sendable {
    /// What is kept under `key` now.
    func lookup(_ key: ResendKey) -> ResendLookup
    /// Claims `key` for a run of this worker, taking over an entry whose worker died or whose answer
    /// expired (or any answer, when `replacingAnswer`: a new question with the key of an old one);
    /// `nil` when another worker's run has it or an answer is there (look again).
    func claim(_ key: ResendKey, replacingAnswer: Bool) throws(ResendStoreError) -> (any ResendClaim)?
    /// Stores the answer of the claimed run (as it was sent: a streamed one with its head and whole
    /// event stream), ends the claim, and prunes the store (expired answers, then the oldest beyond its
    /// count and bytes). An answer larger than the store's bytes is not kept. On an error nothing is kept.
    func complete(_ claim: any ResendClaim, answer: HTTPResponse, requestID: String?) throws(ResendStoreError)
    /// Ends the claim and keeps nothing: a re-send runs again.
    func abandon(_ claim: any ResendClaim)
    /// Says that a re-send is waiting for the run under `key` (again while it waits). The mark is shared
    /// by every re-send of the key and is never taken back by one that leaves (another may still wait):
    /// it counts for a few seconds after its last renewal.
    func markAttached(_ key: ResendKey)
    /// Whether a re-send waits for the run under `key` (one that said so in the last few seconds).
    func isAttached(_ key: ResendKey) -> Bool
}

/// A run's hold on its entry; the store ends it (``ResendStore/complete(_:answer:requestID:)``, ``ResendStore/abandon(_:)``).
public protocol ResendClaim: AnyObject {
    var key: ResendKey { get }
}

/// What ``ResendStore/lookup(_:)`` found.
public enum ResendLookup: Sendable, Equatable {
    /// Nothing (or nothing live: an expired answer, the claim of a worker that died): claim it.
    case absent
    /// Another request's run goes on under this key, with the same body.
    case running
    /// The answer, within the window.
    case done(ResendEntry)
    /// The same `Idempotency-Key` with another body.
    case conflict
}

/// The store could not keep an entry (its directory or file could not be written).
public struct ResendStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
