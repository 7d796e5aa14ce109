/// Bytes collected from one stream: the head up to a limit, or only the tail.
struct OutputBuffer {
    let limit: Int
    let keepTail: Bool
    private(set) var bytes: [UInt8] = []

    init(limit: Int, keepTail: Bool) {
        self.limit = limit
        self.keepTail = keepTail
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        if keepTail {
            bytes.append(contentsOf: chunk)
            if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
        } else if bytes.count < limit {
            bytes.append(contentsOf: chunk.prefix(limit - bytes.count))
        }
    }
}
