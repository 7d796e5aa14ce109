/// What a worker asks of its supervisor: one chat run, the whole plan the worker made for it, so that
/// the run is planned once. Sent over their socket in ``Frames``, with the run lock's descriptor
/// attached to the first byte (`SCM_RIGHTS`).
public struct RunOrder: Sendable, Equatable {
    /// The run; its kind is always ``RunPlan/Kind/chat`` (a job has a supervisor of its own, forked
    /// with its plan), and only a chat plan travels.
    public var plan: RunPlan

    static let kind: UInt8 = 1

    /// An order for `plan`, run as a chat run whatever its kind.
    public init(plan: RunPlan) {
        self.plan = plan
        self.plan.kind = .chat
    }

    /// The order's frame; refused when it would be longer than a supervisor reads (a prompt of a
    /// gigabyte).
    func encode() throws(Frames.FrameTooLong) -> [UInt8] {
        let invocation = plan.invocation
        // The client's text first: a field's length must fit its 4 bytes.
        let bulk = invocation.prompt.utf8.count + (invocation.jsonSchema?.utf8.count ?? 0) + invocation.images.reduce(0) { $0 + $1.byteCount }
        guard bulk <= Frames.maxPayload else { throw Frames.FrameTooLong(length: bulk, limit: Frames.maxPayload) }
        let claude = plan.claude
        var payload: [UInt8] = []
        payload.reserveCapacity(bulk + 512)
        Frames.appendField(Array(invocation.requestID.utf8), to: &payload)
        Frames.appendField(Array(invocation.model.utf8), to: &payload)
        payload.append(invocation.agent == nil ? 0 : 1)
        Frames.appendField(Array((invocation.agent ?? "").utf8), to: &payload)
        Frames.appendField(invocation.prompt.utf8, to: &payload)
        Frames.appendInteger(UInt32(invocation.images.count), to: &payload)
        for image in invocation.images {
            switch image {
            case .base64(let mediaType, let data):
                Frames.appendField(Array(mediaType.utf8), to: &payload)
                Frames.appendField(data.utf8, to: &payload)
            case .url(let url):
                // A URL has no media type: an empty one says so (a base64 image always has one).
                Frames.appendField([], to: &payload)
                Frames.appendField(url.utf8, to: &payload)
            }
        }
        payload.append(invocation.jsonSchema == nil ? 0 : 1)
        Frames.appendField(Array((invocation.jsonSchema ?? "").utf8), to: &payload)
        payload.append(invocation.streamsText ? 1 : 0)
        Frames.appendField(Array((invocation.effort?.rawValue ?? "").utf8), to: &payload)
        Frames.appendField(Array((invocation.resumesSession ?? "").utf8), to: &payload)
        Frames.appendField(Array((invocation.keptSession ?? "").utf8), to: &payload)

        Frames.appendField(Array(claude.executable.utf8), to: &payload)
        Frames.appendField(Array(claude.workingDirectory.utf8), to: &payload)
        Frames.appendField(Array(claude.maxBudgetUSD.utf8), to: &payload)
        Frames.appendInteger(claude.timeoutSeconds.bitPattern, to: &payload)
        Frames.appendInteger(claude.killGraceSeconds.bitPattern, to: &payload)
        Frames.appendInteger(UInt32(claude.environment.count), to: &payload)
        for name in claude.environment.keys.sorted() {
            Frames.appendField(Array(name.utf8), to: &payload)
            Frames.appendField(Array((claude.environment[name] ?? "").utf8), to: &payload)
        }

        Frames.appendField(Array(plan.gitSync.mode.rawValue.utf8), to: &payload)
        Frames.appendInteger(plan.gitSync.timeoutSeconds.bitPattern, to: &payload)
        Frames.appendField(Array(plan.stateDirectory.utf8), to: &payload)
        Frames.appendField(Array(plan.caller.utf8), to: &payload)
        payload.append(plan.spend == nil ? 0 : 1)
        if let spend = plan.spend {
            Frames.appendField(Array(spend.hold.id.utf8), to: &payload)
            Frames.appendField(Array(spend.hold.caller.utf8), to: &payload)
            Frames.appendInteger(spend.hold.budgetUSD.bitPattern, to: &payload)
            Frames.appendField(Array(spend.directory.utf8), to: &payload)
            Frames.appendField(Array(spend.timeZone.utf8), to: &payload)
        }
        guard payload.count <= Frames.maxPayload else { throw Frames.FrameTooLong(length: payload.count, limit: Frames.maxPayload) }
        return Frames.encode(kind: Self.kind, payload: payload)
    }

    /// The order in a frame; `nil` for anything else (another kind, a field short or left over).
    static func decode(kind: UInt8, payload: ArraySlice<UInt8>) -> RunOrder? {
        guard kind == Self.kind else { return nil }
        var fields = Frames.Fields(payload)
        guard let requestID = fields.text(), let model = fields.text(),
              let hasAgent = fields.flag(), let agent = fields.text(), let prompt = fields.text(), let images = images(&fields),
              let hasSchema = fields.flag(), let schema = fields.text(), let streamsText = fields.flag(),
              let effortWord = fields.text(), let resumesSession = fields.text(), let keptSession = fields.text(),
              let executable = fields.text(), let workingDirectory = fields.text(), let maxBudgetUSD = fields.text(),
              let timeoutSeconds = fields.double(), let killGraceSeconds = fields.double(),
              let environment = environment(&fields),
              let modeName = fields.text(), let mode = GitSyncMode(rawValue: modeName), let gitTimeoutSeconds = fields.double(),
              let stateDirectory = fields.text(), let caller = fields.text(), let spend = spend(&fields), fields.isAtEnd
        else { return nil }
        let invocation = ClaudeInvocation(
            requestID: requestID, model: model, prompt: prompt, images: images, agent: hasAgent ? agent : nil, jsonSchema: hasSchema ? schema : nil,
            streamsText: streamsText, effort: Effort(rawValue: effortWord), resumesSession: resumesSession.isEmpty ? nil : resumesSession,
            keptSession: keptSession.isEmpty ? nil : keptSession)
        let claude = ClaudeSettings(
            executable: executable, workingDirectory: workingDirectory, maxBudgetUSD: maxBudgetUSD, timeoutSeconds: timeoutSeconds,
            killGraceSeconds: killGraceSeconds, environment: environment)
        return RunOrder(plan: RunPlan(
            invocation: invocation, claude: claude, gitSync: GitSyncSettings(mode: mode, timeoutSeconds: gitTimeoutSeconds),
            stateDirectory: stateDirectory, kind: .chat, caller: caller, spend: spend))
    }

    /// The spend the run holds: a flag, then the hold (id, caller, budget), the directory and time zone.
    /// `.some(nil)` for none; `nil` when the fields are not there.
    private static func spend(_ fields: inout Frames.Fields) -> PlannedSpend?? {
        guard let held = fields.flag() else { return nil }
        guard held else { return .some(nil) }
        guard let id = fields.text(), let caller = fields.text(), let budget = fields.double(), let directory = fields.text(),
              let timeZone = fields.text() else { return nil }
        return PlannedSpend(hold: SpendHold(id: id, caller: caller, budgetUSD: budget), directory: directory, timeZone: timeZone)
    }

    /// The images: a count, then each one's media type (empty for a URL) and its data or URL.
    private static func images(_ fields: inout Frames.Fields) -> [ImageSource]? {
        guard let count = fields.integer(UInt32.self), Int(count) <= fields.payload.count else { return nil }
        var images: [ImageSource] = []
        for _ in 0..<count {
            guard let mediaType = fields.text(), let text = fields.text() else { return nil }
            images.append(mediaType.isEmpty ? .url(text) : .base64(mediaType: mediaType, data: text))
        }
        return images
    }

    /// The environment: a count, then each name and value.
    private static func environment(_ fields: inout Frames.Fields) -> [String: String]? {
        guard let count = fields.integer(UInt32.self), Int(count) <= fields.payload.count else { return nil }
        var environment: [String: String] = [:]
        for _ in 0..<count {
            guard let name = fields.text(), let value = fields.text(), environment.updateValue(value, forKey: name) == nil else { return nil }
        }
        return environment
    }
}
