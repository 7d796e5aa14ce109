/// What a worker asks of its supervisor: one chat run. Sent over their socket in ``Frames``, with the
/// run lock's descriptor attached to the first byte (`SCM_RIGHTS`).
public struct RunOrder: Sendable, Equatable {
    public var invocation: ClaudeInvocation

    static let kind: UInt8 = 1

    public init(invocation: ClaudeInvocation) {
        self.invocation = invocation
    }

    public func encode() -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(invocation.prompt.utf8.count + 64)
        Frames.appendField(Array(invocation.requestID.utf8), to: &payload)
        Frames.appendField(Array(invocation.model.utf8), to: &payload)
        payload.append(invocation.agent == nil ? 0 : 1)
        Frames.appendField(Array((invocation.agent ?? "").utf8), to: &payload)
        Frames.appendField(invocation.prompt.utf8, to: &payload)
        payload.append(invocation.jsonSchema == nil ? 0 : 1)
        Frames.appendField(Array((invocation.jsonSchema ?? "").utf8), to: &payload)
        payload.append(invocation.streamsText ? 1 : 0)
        return Frames.encode(kind: Self.kind, payload: payload)
    }

    /// The order in a frame; `nil` for anything else.
    static func decode(kind: UInt8, payload: ArraySlice<UInt8>) -> RunOrder? {
        guard kind == Self.kind else { return nil }
        var offset = payload.startIndex
        func text() -> String? { Frames.field(payload, at: &offset).map { String(decoding: $0, as: UTF8.self) } }
        guard let requestID = text(), let model = text(), offset < payload.endIndex else { return nil }
        let hasAgent = payload[offset] == 1
        offset += 1
        guard let agent = text(), let prompt = text(), offset < payload.endIndex else { return nil }
        let hasSchema = payload[offset] == 1
        offset += 1
        guard let schema = text(), offset < payload.endIndex else { return nil }
        let streamsText = payload[offset] == 1
        return RunOrder(invocation: ClaudeInvocation(
            requestID: requestID, model: model, prompt: prompt, agent: hasAgent ? agent : nil, jsonSchema: hasSchema ? schema : nil,
            streamsText: streamsText))
    }
}
