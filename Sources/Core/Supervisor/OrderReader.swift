/// Reads run orders from a worker's socket, as a supervisor does (``SupervisorLoop``, ``SpareRun``): frames
/// in any chunks, the run lock riding on an order's first byte.
struct OrderReader {
    /// Why a frame is no order to run; the worker is told so when it waits for an answer.
    struct Unreadable: Error, Equatable {
        var detail: String
    }

    private var frames: Frames.Reader
    /// The descriptor that came with the bytes not yet read as a frame: the next order's lock.
    private var lock: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    init(frames: Frames.Reader = Frames.Reader()) {
        self.frames = frames
    }

    /// Reads what the socket has (blocking until something is); false at its end of file.
    mutating func receive(on socket: Int32) -> Bool {
        let (count, descriptor) = SocketPair.receive(on: socket, into: &buffer)
        if let descriptor {
            Descriptor.close(&lock)
            lock = descriptor
        }
        guard count > 0 else { return false }
        buffer.withUnsafeBytes { frames.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
        return true
    }

    /// The next whole frame as an order with its lock (the caller's to close), or why it is none; `nil`
    /// when more bytes are needed. Whatever the frame is, the lock that came with it is its own.
    mutating func next() -> Result<(order: RunOrder, lock: Int32), Unreadable>? {
        guard let frame = frames.next() else { return nil }
        var taken = lock
        lock = -1
        switch frame {
        case .failure(let tooLong):
            Descriptor.close(&taken)
            return .failure(Unreadable(detail: "the run supervisor was sent \(tooLong)"))
        case .success(let frame):
            guard let order = RunOrder.decode(kind: frame.kind, payload: frame.payload), taken >= 0 else {
                Descriptor.close(&taken)
                return .failure(Unreadable(detail: "the run supervisor could not read the run it was given"))
            }
            return .success((order, taken))
        }
    }

    /// Closes a lock that came without its order.
    mutating func close() {
        Descriptor.close(&lock)
    }

    /// The one order a worker sends on `socket`, with its lock; `nil` when none comes whole within `seconds`,
    /// the socket ends first, or `cancel` polls readable.
    static func readOne(on socket: Int32, within seconds: Double, cancel: Int32) -> (order: RunOrder, lock: Int32)? {
        var reader = OrderReader()
        defer { reader.close() }
        let deadline = Monotonic.now() + seconds
        while Monotonic.now() < deadline {
            var set = PollSet()
            set.watch(socket, for: .readable)
            set.watch(cancel, for: .readable)
            guard let ready = try? set.wait(seconds: deadline - Monotonic.now()), !ready.contains(cancel) else { return nil }
            guard ready.contains(socket) else { continue }
            guard reader.receive(on: socket) else { return nil }
            switch reader.next() {
            case nil: continue
            case .success(let read)?: return read
            case .failure?: return nil
            }
        }
        return nil
    }
}
