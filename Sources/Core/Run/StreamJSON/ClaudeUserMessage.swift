/// The line a run with images is given on stdin (`--input-format stream-json`): one user message whose
/// content is the prompt's text, then each image after its label (`[image N]`, as the prompt names it).
/// The CLI passes the blocks on to the Messages API as they are.
enum ClaudeUserMessage {
    static func line(prompt: String, images: [ImageSource]) -> [UInt8] {
        var content: [JSONValue] = [.object(["type": .string("text"), "text": .string(prompt)])]
        for (index, image) in images.enumerated() {
            content.append(.object(["type": .string("text"), "text": .string(PromptBuilder.imageReference(index + 1))]))
            content.append(image.block)
        }
        let message = JSONValue.object(["type": .string("user"), "message": .object(["role": .string("user"), "content": .array(content)])])
        var bytes: [UInt8] = []
        bytes.reserveCapacity(prompt.utf8.count + images.reduce(0) { $0 + $1.byteCount } + 256)
        message.append(to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
