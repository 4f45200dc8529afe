import Synchronization

/// The deliveries of one consumer, from the owner thread to the consuming task.
///
/// Replaces `AsyncThrowingStream` on this path: that generic type is not specialised across the module
/// boundary and takes a lock per element. Here the iterator takes everything buffered under one lock
/// and serves it from a local array, so a burst of deliveries costs one lock and at most one wake-up.
final class DeliveryQueue: Sendable {
    private struct State {
        var buffer: [AMQPDelivery] = []
        var waiter: CheckedContinuation<Void, Never>?
        /// Set once: `.some(nil)` ended normally, `.some(error)` ended with an error.
        var ending: (any Error)??
        var cancelled = false
    }

    private let state = Mutex(State())
    /// Called once when the consuming task is cancelled, so the consumer is cancelled on the broker.
    private let onCancel: Mutex<(@Sendable () -> Void)?> = Mutex(nil)

    func setOnCancel(_ handler: @escaping @Sendable () -> Void) { onCancel.withLock { $0 = handler } }

    /// Owner thread: hands over one delivery. Returns the waiting consumer, if any, for the caller to
    /// resume once it has handed over every delivery it has already read
    /// (``ConnectionCore/readAvailableFrames()``), so a burst costs the consuming task one wake-up.
    func append(_ delivery: AMQPDelivery) -> CheckedContinuation<Void, Never>? {
        state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard s.ending == nil else { return nil }
            s.buffer.append(delivery)
            defer { s.waiter = nil }
            return s.waiter
        }
    }

    /// Ends the sequence (after what is buffered), with an error or normally.
    func finish(_ error: (any Error)?) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.ending == nil { s.ending = .some(error) }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Everything buffered, or the ending when nothing is, waiting while there is neither.
    fileprivate func take() async throws -> [AMQPDelivery] {
        while true {
            let taken: [AMQPDelivery]? = try state.withLock { s in
                if !s.buffer.isEmpty {
                    let batch = s.buffer
                    s.buffer.removeAll(keepingCapacity: true)
                    return batch
                }
                if case .some(let error) = s.ending {
                    if let error { throw error }
                    return []
                }
                return nil
            }
            if let taken { return taken }
            if Task.isCancelled {
                cancel()
                return []
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { s -> Bool in
                        if !s.buffer.isEmpty || s.ending != nil || s.cancelled { return true }
                        s.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                    s.cancelled = true
                    defer { s.waiter = nil }
                    return s.waiter
                }
                waiter?.resume()
            }
        }
    }

    private func cancel() {
        let handler = onCancel.withLock { h -> (@Sendable () -> Void)? in
            defer { h = nil }
            return h
        }
        finish(nil)
        handler?()
    }

    struct Iterator: AsyncIteratorProtocol {
        let queue: DeliveryQueue
        /// The batch taken last, in reverse order: `popLast()` moves each delivery out instead of copying
        /// it (a delivery holds about fifteen references, each retained on a copy and released with it).
        var local: [AMQPDelivery] = []
        var done = false

        mutating func next() async throws -> AMQPDelivery? {
            if let delivery = local.popLast() { return delivery }
            guard !done else { return nil }
            local = try await queue.take()
            guard !local.isEmpty else {
                done = true
                return nil
            }
            local.reverse()
            return local.popLast()
        }
    }
}
