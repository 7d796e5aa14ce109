import Glibc

/// The worker's supervisor, in its own process (forked once by ``SupervisorLink``): waits for a
/// ``RunOrder`` with the run lock attached, runs its plan with a ``RunSupervisor``, lets the lock go,
/// sends the final event, and waits for the next. It returns (and its process exits) when its worker
/// is gone (end of file on the socket, or SIGTERM from the kernel) or has hung up on a run.
///
/// Only its worker writes to the socket, so a frame it cannot read is a bug: it answers it at once
/// with a failure event, since the worker is waiting for an answer.
struct SupervisorLoop {
    /// The socket to the worker (fd 3 once set up).
    let socket: Int32
    let cancel: CancelSignal
    let log: (String) -> Void
    /// Reads the worker's frames; a frame over its limit is answered, and skipped.
    var frames: Frames.Reader

    init(socket: Int32, cancel: CancelSignal, log: @escaping (String) -> Void, frames: Frames.Reader = Frames.Reader()) {
        self.socket = socket
        self.cancel = cancel
        self.log = log
        self.frames = frames
    }

    /// Serves orders until the worker is gone; returns the process's exit code.
    mutating func run() -> Int32 {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var lock: Int32?
        defer { if var stale = lock { Descriptor.close(&stale) } }
        while true {
            var set = PollSet()
            set.watch(socket, for: .readable)
            set.watch(cancel.descriptor, for: .readable)
            let ready: PollSet.Ready
            do {
                ready = try set.wait(seconds: nil)
            } catch {
                log("run supervisor: \(error)")
                return 71
            }
            if ready.contains(cancel.descriptor) { return 0 }
            guard ready.contains(socket) else { continue }
            let (count, descriptor) = SocketPair.receive(on: socket, into: &buffer)
            if let descriptor {
                if var stale = lock { Descriptor.close(&stale) }
                lock = descriptor
            }
            guard count > 0 else { return 0 }
            buffer.withUnsafeBytes { frames.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            while let frame = frames.next() {
                // The lock rides on an order's first byte: whatever this frame is, it is this frame's.
                var taken = lock ?? -1
                lock = nil
                switch frame {
                case .failure(let tooLong):
                    Descriptor.close(&taken)
                    refuse("the run supervisor was sent \(tooLong)")
                case .success(let frame):
                    guard let order = RunOrder.decode(kind: frame.kind, payload: frame.payload), taken >= 0 else {
                        Descriptor.close(&taken)
                        refuse("the run supervisor could not read the run it was given")
                        continue
                    }
                    perform(order, lock: taken)
                }
            }
        }
    }

    /// Answers a frame that is not a run with the failure that ends the worker's wait.
    private func refuse(_ detail: String) {
        log(detail)
        Descriptor.writeAll(socket, RunEventCodec.encode(.failure(.failed, detail: detail, report: nil)))
    }

    private func perform(_ order: RunOrder, lock: Int32) {
        let supervisor = RunSupervisor.inThisProcess(
            plan: order.plan, store: FileJobStore(directory: RunSettings.jobsDirectory(in: order.plan.stateDirectory)),
            events: socket, lock: lock, log: log)
        // The worker shuts its side of the socket when its client hangs up: end of file there cancels.
        _ = supervisor.run(cancelOn: [cancel.descriptor, socket])
    }
}
