import Glibc

/// The worker's supervisor, in its own process (forked once by ``SupervisorLink``): waits for a
/// ``RunOrder`` with the run lock attached, runs it with a ``RunSupervisor``, lets the lock go, sends
/// the final event, and waits for the next. It exits when its worker is gone (end of file on the
/// socket, or SIGTERM from the kernel) or has hung up on a run.
struct SupervisorLoop {
    let settings: RunSettings
    /// The socket to the worker (fd 3 once set up).
    let socket: Int32
    let cancel: CancelSignal
    let log: (String) -> Void

    func run() -> Never {
        var frames = Frames.Reader()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var lock: Int32?
        while true {
            var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0), pollfd(fd: cancel.descriptor, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 || errno == EINTR else { _exit(71) }
            if fds[1].revents != 0 { _exit(0) }
            guard fds[0].revents != 0 else { continue }
            let (count, descriptor) = SocketPair.receive(on: socket, into: &buffer)
            if let descriptor {
                if let stale = lock { close(stale) }
                lock = descriptor
            }
            guard count > 0 else { _exit(0) }
            buffer.withUnsafeBytes { frames.feed(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            while case .success(let frame)? = frames.next() {
                var taken = lock ?? -1
                lock = nil
                guard let order = RunOrder.decode(kind: frame.kind, payload: frame.payload), taken >= 0 else {
                    // Only our worker writes here: this is a bug, and the worker is waiting for an answer.
                    Descriptor.close(&taken)
                    Descriptor.writeAll(socket, RunEventCodec.encode(
                        .failure(.failed, detail: "the run supervisor could not read the run it was given", report: nil)))
                    continue
                }
                perform(order, lock: taken)
            }
        }
    }

    private func perform(_ order: RunOrder, lock: Int32) {
        var held = lock
        let socket = socket
        let supervisor = RunSupervisor(
            plan: settings.plan(order.invocation, kind: .chat), launcher: PosixProcessLauncher(),
            store: FileJobStore(directory: settings.jobsDirectory), clock: SystemWallClock(),
            send: { Descriptor.writeAll(socket, RunEventCodec.encode($0)) },
            log: log, endLeftovers: { ProcessControl.killAllDescendants() },
            releaseLock: { Descriptor.close(&held) })
        // The worker shuts its side of the socket when its client hangs up: end of file there cancels.
        _ = supervisor.run(cancelOn: [cancel.descriptor, socket])
        Descriptor.close(&held)
    }
}
