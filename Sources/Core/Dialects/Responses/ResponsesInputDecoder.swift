/// The Responses API's `input` (and `instructions`) as turns: a string is one user message; a list
/// holds `message` items (roles user, system, developer, assistant; `input_text` / `output_text` parts),
/// `function_call` items and `function_call_output` items. Earlier turns' `reasoning` items are
/// accepted and not replayed, `additional_tools` items are read as tools; item `id`s and `status`es are
/// accepted and ignored.
enum ResponsesInputDecoder {
    /// What error messages call the turns and a result's call id.
    static let fieldNames = PromptBuilder.FieldNames(turns: "input", callID: "call_id")

    /// An item that offers tools (Codex sends its tools so for the models it knows): read with `tools`.
    static let additionalTools = "additional_tools"

    /// Item types accepted and left out of the prompt.
    static let skippedItemTypes: Set<String> = ["reasoning", additionalTools]

    static func turns(_ input: JSONValue?, instructions: String?) throws(APIError) -> [Turn] {
        var turns: [Turn] = []
        if let instructions {
            try JSONField.checkNoNUL(instructions, at: "instructions")
            turns.append(Turn(role: .system, text: instructions))
        }
        switch input {
        case .string(let text)?:
            try JSONField.checkNoNUL(text, at: "input")
            turns.append(Turn(role: .user, text: text))
        case .array(let items)? where !items.isEmpty:
            for (index, item) in items.enumerated() {
                try append(item, at: "input[\(index)]", to: &turns)
            }
        default:
            throw .invalidRequest("input must be a string or a non-empty array of items")
        }
        return turns
    }

    static func append(_ item: JSONValue, at place: String, to turns: inout [Turn]) throws(APIError) {
        guard case .object(let fields) = item else { throw .invalidRequest("\(place) must be an object, not \(item.typeName)") }
        let type: String
        switch fields["type"] {
        case .string(let word)?: type = word
        // An easy input message: `{"role", "content"}` without a type.
        case nil, .null?: type = "message"
        case let other?: throw .invalidRequest("\(place).type must be a string, not \(other.typeName)")
        }
        switch type {
        case "message":
            turns.append(try message(fields, at: place))
        case "function_call":
            let call = try functionCall(fields, at: place)
            // Calls after an assistant's words (or other calls) belong to the same turn.
            if let last = turns.indices.last, turns[last].role == .assistant {
                turns[last].toolCalls.append(call)
            } else {
                turns.append(Turn(role: .assistant, text: "", toolCalls: [call]))
            }
        case "function_call_output":
            guard case .string(let id)? = fields["call_id"], !id.isEmpty else {
                throw .invalidRequest("\(place).call_id must be a non-empty string")
            }
            let output = try content(fields["output"], at: "\(place).output", textTypes: ["input_text", "output_text", "text"], allowsImages: true)
            let result = Turn(role: .tool, parts: output, toolCallID: id)
            try JSONField.checkNoNUL(id + result.text, at: place)
            turns.append(result)
        case _ where skippedItemTypes.contains(type):
            break
        default:
            throw .invalidRequest("\(place).type '\(OneLine.clean(type, limit: 64))' is not supported; use message, function_call or function_call_output")
        }
    }

    static func message(_ fields: JSONObject, at place: String) throws(APIError) -> Turn {
        guard case .string(let roleName)? = fields["role"] else { throw .invalidRequest("\(place).role must be a string") }
        let role: Turn.Role
        switch roleName {
        case "system", "developer": role = .system
        case "user": role = .user
        case "assistant": role = .assistant
        default: throw .invalidRequest("\(place).role '\(OneLine.clean(roleName, limit: 64))' is not supported; use user, system, developer or assistant")
        }
        let textTypes: Set<String> = role == .assistant ? ["output_text", "refusal", "text", "input_text"] : ["input_text", "text"]
        let parts = try content(fields["content"], at: "\(place).content", textTypes: textTypes, allowsImages: role == .user)
        let turn = Turn(role: role, parts: parts)
        try JSONField.checkNoNUL(turn.text, at: "\(place).content")
        return turn
    }

    static func functionCall(_ fields: JSONObject, at place: String) throws(APIError) -> ToolCall {
        guard case .string(let id)? = fields["call_id"], !id.isEmpty else {
            throw .invalidRequest("\(place).call_id must be a non-empty string")
        }
        guard case .string(let name)? = fields["name"], !name.isEmpty else {
            throw .invalidRequest("\(place).name must be a non-empty string")
        }
        guard case .string(let arguments)? = fields["arguments"] else {
            throw .invalidRequest("\(place).arguments must be a string (a JSON object's text)")
        }
        let namespace = try JSONField.optionalString(fields["namespace"], name: "\(place).namespace")
        let fullName = ResponsesToolsDecoder.qualifiedName(name, in: namespace)
        try JSONField.checkNoNUL(id + fullName + arguments, at: place)
        return ToolCall(id: id, name: fullName, arguments: arguments)
    }

    /// A content value: a string, or a list of parts of the given text types (each holding `text`, a
    /// `refusal` its `refusal`) and, where images are taken, `input_image` parts (`image_url`: a data URL
    /// or an https URL; `detail` accepted; a `file_id` refused, there are no files here).
    static func content(_ value: JSONValue?, at place: String, textTypes: Set<String>, allowsImages: Bool) throws(APIError) -> [Turn.Part] {
        try ContentList.parts(value, at: place, otherwise: "\(place) must be a string or an array of content parts") { type, fields, partPlace throws(APIError) in
            if textTypes.contains(type) { return .text(try ContentList.string(fields, type == "refusal" ? "refusal" : "text", at: partPlace)) }
            guard type == inputImage else {
                let accepted = textTypes.sorted() + (allowsImages ? [inputImage] : [])
                throw .invalidRequest("\(partPlace).type '\(OneLine.clean(type, limit: 64))' is not supported; use \(accepted.joined(separator: " or "))")
            }
            guard allowsImages else { throw ContentList.imageRefused(at: partPlace) }
            _ = try JSONField.optionalString(fields["detail"], name: "\(partPlace).detail")
            if let file = fields["file_id"], file != .null {
                throw .invalidRequest("\(partPlace).file_id is not supported (there are no uploaded files here); send the image as image_url")
            }
            return .image(try ImagePart.fromURL(try ContentList.string(fields, "image_url", at: partPlace), at: partPlace))
        }
    }

    /// The Responses API's image part.
    static let inputImage = "input_image"
}
