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
    /// Reads the worker's orders; a frame over its limit is answered, and skipped.
    var orders: OrderReader

    init(socket: Int32, cancel: CancelSignal, log: @escaping (String) -> Void, frames: Frames.Reader = Frames.Reader()) {
        self.socket = socket
        self.cancel = cancel
        self.log = log
        self.orders = OrderReader(frames: frames)
    }

    /// Serves orders until the worker is gone; returns the process's exit code.
    mutating func run() -> Int32 {
        defer { orders.close() }
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
            guard orders.receive(on: socket) else { return 0 }
            while let read = orders.next() {
                switch read {
                case .failure(let unreadable): refuse(unreadable.detail)
                case .success(let run): perform(run.order, lock: run.lock)
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
