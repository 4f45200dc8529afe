import AMQPClient
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VUMExchange

public struct AuditServiceConfiguration: Sendable {
    /// The queue to consume: `vum.audit`, or an auditor's own queue bound to `vum.procesgegevens`.
    public var queue: String = Topology.audit
    /// Unacknowledged events the broker may hand over at once; also the largest batch stored in one commit.
    public var prefetch: UInt16 = 500
    /// How long to wait before retrying after the store failed (disk full, locked).
    public var retryDelay: Duration = .seconds(2)
    /// Time between status lines in the log (``AuditStatusLine``); nil: none. Default 15 minutes.
    public var statusInterval: Duration? = .seconds(15 * 60)
    public init() {}
}

/// Consumes procesgegevens into the ``AuditStore``: whatever arrived since the last commit is stored in
/// one transaction, and only then acknowledged. A crash before the commit loses nothing (the broker
/// redelivers); a crash between commit and ack stores nothing twice (the store is idempotent on eventID).
/// An unreadable message is quarantined, then acknowledged: kept, never dropped, never retried forever.
public final class AuditService: Service, Sendable {
    public let configuration: AuditServiceConfiguration
    let connection: AMQPConnection
    public let store: AuditStore
    let logger: Logger
    private let state = Mutex(State())

    public struct Counters: Sendable, Hashable, CustomStringConvertible {
        public var stored = 0, duplicates = 0, quarantined = 0, batches = 0, storeFailures = 0
        public var description: String {
            "stored=\(stored) duplicates=\(duplicates) quarantined=\(quarantined) batches=\(batches) store_failures=\(storeFailures)"
        }
    }

    struct State {
        var buffer: [AMQPDelivery] = []
        var wake: CheckedContinuation<Void, Never>?
        var consumingEnded = false
        var counters = Counters()
    }

    public init(
        configuration: AuditServiceConfiguration = .init(), connection: AMQPConnection, store: AuditStore,
        logger: Logger = Logger(label: "vum.audit")
    ) {
        self.configuration = configuration
        self.connection = connection
        self.store = store
        self.logger = logger
    }

    public var counters: Counters { state.withLock { $0.counters } }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.serve() }
    }

    /// Serves until cancelled; throws when consuming stops for another reason (queue deleted, access refused).
    public func serve() async throws {
        let channel = try await connection.openChannel()
        try await channel.qos(prefetchCount: configuration.prefetch)
        let consumer = try await channel.consume(queue: configuration.queue)
        logger.info(
            "consuming procesgegevens",
            metadata: ["amqp.queue": "\(configuration.queue)", "vum.store": "\(store.path)"])
        let writer = Task { await self.writeLoop() }
        let statusLines = Task { await self.logStatus() }
        defer { statusLines.cancel() }
        var failure: (any Error)?
        do {
            for try await delivery in consumer {
                let waiting = state.withLock { s -> CheckedContinuation<Void, Never>? in
                    s.buffer.append(delivery)
                    defer { s.wake = nil }
                    return s.wake
                }
                waiting?.resume()
            }
        } catch is CancellationError {
        } catch {
            if !Task.isCancelled {
                logger.error("consuming stopped", metadata: ["vum.error": "\(error)"])
                failure = error
            }
        }
        let waiting = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.consumingEnded = true
            defer { s.wake = nil }
            return s.wake
        }
        waiting?.resume()
        await writer.value
        await channel.close()
        if let failure { throw AuditError("consuming \(configuration.queue) stopped: \(failure)") }
    }

    /// Every `statusInterval`, an ``AuditStatusLine`` in the log.
    func logStatus() async {
        guard let period = configuration.statusInterval else { return }
        var line = AuditStatusLine()
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            guard !Task.isCancelled else { break }
            let (level, text) = line.next(counters, period: period, connected: connection.isConnected)
            logger.log(level: level, "\(text)")
        }
    }

    /// Takes everything buffered, stores it in one commit, acknowledges it; until consuming has ended and
    /// the buffer is empty. What is left unacknowledged at a stop is redelivered to the next run.
    func writeLoop() async {
        while let batch = await nextBatch() { await store(batch) }
    }

    /// Everything buffered; waits while there is nothing; nil once consuming ended and all is handled.
    func nextBatch() async -> [AMQPDelivery]? {
        while true {
            let (batch, ended) = state.withLock { s -> ([AMQPDelivery], Bool) in
                defer { s.buffer.removeAll(keepingCapacity: true) }
                return (s.buffer, s.consumingEnded)
            }
            if !batch.isEmpty { return batch }
            if ended { return nil }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if !s.buffer.isEmpty || s.consumingEnded { return true }
                    s.wake = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        }
    }

    func store(_ batch: [AMQPDelivery]) async {
        let received = batch.map { delivery in
            var problem: String?
            if let type = delivery.properties.type, type != MessageType.procesgebeurtenis.rawValue {
                problem = "message type \(type) is not \(MessageType.procesgebeurtenis.rawValue)"
            }
            return ReceivedEvent(
                body: delivery.body, messageID: delivery.properties.messageID,
                routingKey: delivery.routingKey, problem: problem)
        }
        let outcomes: [AppendOutcome]
        do {
            outcomes = try await store.append(received)
        } catch {
            state.withLock { $0.counters.storeFailures += 1 }
            logger.error(
                "audit store failed; the events go back to the queue and are retried",
                metadata: ["vum.error": "\(error)", "vum.events": "\(batch.count)"])
            // Nothing was committed: back to the queue, in order, for the next attempt.
            if let last = batch.last { try? await last.channel.nack(last, multiple: true, requeue: true) }
            try? await Task.sleep(for: configuration.retryDelay)
            return
        }
        var counts = Counters()
        for (outcome, delivery) in zip(outcomes, batch) {
            switch outcome {
            case .stored: counts.stored += 1
            case .duplicate: counts.duplicates += 1
            case .quarantined(let reason):
                counts.quarantined += 1
                logger.warning(
                    "procesgebeurtenis quarantined",
                    metadata: [
                        "vum.reason": "\(reason)", "amqp.routing_key": "\(delivery.routingKey)",
                        "amqp.message_id": "\(delivery.properties.messageID ?? "-")",
                    ])
            }
        }
        state.withLock {
            $0.counters.stored += counts.stored
            $0.counters.duplicates += counts.duplicates
            $0.counters.quarantined += counts.quarantined
            $0.counters.batches += 1
        }
        // One ack for the batch: the deliveries of one channel, in delivery order, all handled.
        if let last = batch.last {
            do { try await last.channel.ack(last, multiple: true) } catch {
                logger.info(
                    "ack failed; the broker redelivers and the store recognises the events",
                    metadata: ["vum.error": "\(error)"])
            }
        }
    }
}
