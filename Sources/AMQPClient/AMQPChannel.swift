import CRabbitMQ
import Foundation

/// An AMQP channel. A value handle: copies refer to the same channel. All methods may be called from any
/// task; they run in order on the connection's owner thread.
///
/// When the broker closes the channel (a missing queue, a permission error), every later call throws
/// the error that closed it; open a new channel to go on.
public struct AMQPChannel: Sendable, Hashable {
    let shared: ConnectionShared
    public let id: UInt16
    let serial: UInt64
    let flags: ChannelFlags
    /// Messages published `mandatory` that no queue took. Iterate from one task (buffer: newest 1024).
    public let returns: AsyncStream<AMQPReturnedMessage>

    public static func == (lhs: AMQPChannel, rhs: AMQPChannel) -> Bool {
        lhs.shared === rhs.shared && lhs.serial == rhs.serial
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(shared))
        hasher.combine(serial)
    }

    private func run<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (ConnectionCore, ChannelState) throws(AMQPError) -> T
    ) async throws -> T {
        let id = self.id
        let serial = self.serial
        return try await shared.perform(operation) { core throws(AMQPError) in
            let state = try core.channel(id, serial: serial, operation: operation)
            return try body(core, state)
        }
    }

    // MARK: Exchanges and queues

    /// Declares an exchange (or with `passive`, checks that it exists: `notFound` when it does not).
    public func declareExchange(
        _ name: String, type: AMQPExchangeType, passive: Bool = false, durable: Bool = true,
        autoDelete: Bool = false, isInternal: Bool = false, arguments: AMQPTable = [:]
    ) async throws {
        try await run("exchange.declare") { core, ch throws(AMQPError) in
            try core.wireDeclareExchange(
                ch.id, name: name, type: type, passive: passive, durable: durable,
                autoDelete: autoDelete, isInternal: isInternal, arguments: arguments)
            if !passive {
                core.topology.record(
                    .exchange(
                        name: name, type: type, durable: durable, autoDelete: autoDelete,
                        isInternal: isInternal, arguments: arguments))
            }
        }
    }

    public func deleteExchange(_ name: String, ifUnused: Bool = false) async throws {
        try await run("exchange.delete") { core, ch throws(AMQPError) in
            try core.wireDeleteExchange(ch.id, name: name, ifUnused: ifUnused)
            core.topology.removeExchange(name)
        }
    }

    /// Declares a queue; an empty name asks the broker for a server-named one (`amq.gen-...`).
    /// Arguments carry `x-expires`, `x-message-ttl`, `x-dead-letter-exchange`, `x-queue-type` and so on.
    @discardableResult
    public func declareQueue(
        _ name: String = "", passive: Bool = false, durable: Bool = false, exclusive: Bool = false,
        autoDelete: Bool = false, arguments: AMQPTable = [:]
    ) async throws -> AMQPQueueInfo {
        try await run("queue.declare") { core, ch throws(AMQPError) in
            let info = try core.wireDeclareQueue(
                ch.id, name: name, passive: passive, durable: durable,
                exclusive: exclusive, autoDelete: autoDelete, arguments: arguments)
            if !passive {
                core.topology.record(
                    .queue(
                        name: info.name, serverNamed: name.isEmpty, durable: durable,
                        exclusive: exclusive, autoDelete: autoDelete, arguments: arguments))
            }
            return info
        }
    }

    public func bindQueue(_ queue: String, exchange: String, routingKey: String = "", arguments: AMQPTable = [:])
        async throws
    {
        try await run("queue.bind") { core, ch throws(AMQPError) in
            try core.wireBindQueue(
                ch.id, queue: queue, exchange: exchange, routingKey: routingKey,
                arguments: arguments)
            core.topology.record(
                .binding(
                    queue: queue, exchange: exchange, routingKey: routingKey,
                    arguments: arguments))
        }
    }

    public func unbindQueue(_ queue: String, exchange: String, routingKey: String = "", arguments: AMQPTable = [:])
        async throws
    {
        try await run("queue.unbind") { core, ch throws(AMQPError) in
            try core.wireUnbindQueue(
                ch.id, queue: queue, exchange: exchange, routingKey: routingKey,
                arguments: arguments)
            core.topology.removeBinding(queue: queue, exchange: exchange, routingKey: routingKey)
        }
    }

    /// Deletes a queue; returns how many messages it held.
    @discardableResult
    public func deleteQueue(_ name: String, ifUnused: Bool = false, ifEmpty: Bool = false) async throws -> UInt32 {
        try await run("queue.delete") { core, ch throws(AMQPError) in
            let count = try core.wireDeleteQueue(ch.id, name: name, ifUnused: ifUnused, ifEmpty: ifEmpty)
            core.topology.removeQueue(name)
            return count
        }
    }

    @discardableResult
    public func purgeQueue(_ name: String) async throws -> UInt32 {
        try await run("queue.purge") { core, ch throws(AMQPError) in
            try core.wirePurgeQueue(ch.id, name: name)
        }
    }

    // MARK: Flow control and confirms

    /// Limits unacknowledged deliveries to this channel's consumers (restored after a reconnect).
    public func qos(prefetchCount: UInt16, global: Bool = false) async throws {
        try await run("basic.qos") { core, ch throws(AMQPError) in
            try core.wireQos(ch.id, prefetchCount: prefetchCount, global: global)
            ch.qos = (prefetchCount, global)
        }
    }

    /// Puts the channel in confirm mode: from now on ``publish(_:exchange:routingKey:mandatory:properties:)``
    /// returns only when the broker has confirmed (or refused) the message.
    public func enableConfirms() async throws {
        try await run("confirm.select") { core, ch throws(AMQPError) in
            guard !ch.confirmMode else { return }
            try core.wireConfirmSelect(ch.id)
            ch.confirmMode = true
        }
    }

    // MARK: Publishing

    /// Above this many commands waiting for the owner thread, a publish waits for its own turn instead
    /// of handing over and going on: back-pressure for a producer faster than the socket.
    static let handOverLimit = 1024

    /// Publishes a message.
    ///
    /// Without confirm mode it returns `.sent` once the message is handed to the connection, which writes
    /// it in order with everything else on this channel (a channel the broker closes later fails the
    /// next call). In confirm mode it waits for the broker: `.confirmed`, `.returned` (mandatory and
    /// unroutable; matched by `messageID`, so set one), or throws `publishNacked`, or the error that
    /// closed the channel (`notFound` for a missing exchange, `preconditionFailed` for a forged
    /// `user_id`). While the broker blocks publishing it waits up to `blockedPublishTimeout`, then
    /// throws `blockedTimeout`.
    @discardableResult
    public func publish(
        _ body: Data, exchange: String, routingKey: String, mandatory: Bool = false,
        properties: AMQPProperties = AMQPProperties()
    ) async throws -> AMQPPublishOutcome {
        let id = self.id
        let serial = self.serial
        let frameBytes = body.count + exchange.utf8.count + routingKey.utf8.count + properties.wireSizeBound
        if !flags.confirmMode.load(ordering: .acquiring) && !flags.closed.load(ordering: .acquiring)
            && shared.connected.load(ordering: .acquiring) && !shared.blocked.load(ordering: .acquiring)
        {
            // Nothing to wait for: write it now if the socket takes it at once (see WireAccess)...
            let written = try shared.wire.writeIfIdle(bytes: frameBytes) { core throws(AMQPError) in
                let state = try core.channel(id, serial: serial, operation: "basic.publish")
                guard !state.confirmMode else { return false }
                try core.send(
                    body, on: state, exchange: exchange, routingKey: routingKey, mandatory: mandatory,
                    properties: properties)
                return true
            }
            if written { return .sent }
            // ...or hand it over and go on, as a socket write would.
            if shared.mailbox.pendingCount < Self.handOverLimit {
                let accepted = shared.mailbox.post { core in
                    do {
                        let state = try core.channel(id, serial: serial, operation: "basic.publish")
                        try core.send(
                            body, on: state, exchange: exchange, routingKey: routingKey,
                            mandatory: mandatory, properties: properties)
                    } catch {
                        core.logger.debug("AMQP publish failed after hand-over", metadata: ["amqp.error": "\(error)"])
                    }
                }
                if accepted {
                    shared.handedOverPublishes.add(1, ordering: .relaxed)
                    return .sent
                }
                throw shared.closedError("basic.publish")
            }
        }
        return try await shared.performDeferred("basic.publish", directWriteOf: frameBytes) {
            (core: ConnectionCore, continuation: CheckedContinuation<AMQPPublishOutcome, any Error>) in
            let send = {
                do {
                    let state = try core.channel(id, serial: serial, operation: "basic.publish")
                    try core.send(
                        body, on: state, exchange: exchange, routingKey: routingKey, mandatory: mandatory,
                        properties: properties)
                    if state.confirmMode {
                        state.pendingConfirms.append(
                            .init(
                                sequence: state.nextSequence, messageID: properties.messageID, returned: nil,
                                continuation: continuation))
                        state.nextSequence += 1
                    } else {
                        continuation.resume(returning: .sent)
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if core.blocked {
                core.park(
                    .init(
                        deadline: .now + core.configuration.blockedPublishTimeout, run: send,
                        fail: { continuation.resume(throwing: $0) }))
            } else {
                send()
            }
        }
    }

    // MARK: Consuming

    /// Starts a consumer. Deliveries arrive in order; acknowledge each (unless `noAck`). The sequence
    /// ends with an error when the broker cancels the consumer or closes the channel, and survives
    /// reconnects (on a renamed server-named queue too). Stop iterating to cancel it.
    public func consume(
        queue: String, noAck: Bool = false, exclusive: Bool = false, arguments: AMQPTable = [:]
    ) async throws -> AMQPConsumer {
        let deliveries = DeliveryQueue()
        let shared = self.shared
        let id = self.id
        let serial = self.serial
        let tag = try await run("basic.consume") { core, ch throws(AMQPError) in
            let tag = "vum.\(ch.id).\(ch.nextConsumerNumber)"
            ch.nextConsumerNumber += 1
            ch.consumers[tag] = .init(
                tag: tag, queueName: queue, noAck: noAck, exclusive: exclusive,
                arguments: arguments, queue: deliveries)
            do throws(AMQPError) {
                try core.wireConsume(
                    ch.id, queue: queue, tag: tag, noAck: noAck, exclusive: exclusive,
                    arguments: arguments)
            } catch {
                ch.consumers[tag] = nil
                throw error
            }
            return tag
        }
        deliveries.setOnCancel {
            _ = shared.mailbox.post { core in
                guard let ch = try? core.channel(id, serial: serial, operation: "basic.cancel"),
                    let consumer = ch.consumers.removeValue(forKey: tag)
                else { return }
                ch.cancelledConsumers[tag] = consumer.noAck
                try? core.wireCancel(id, tag: tag)
            }
        }
        return AMQPConsumer(deliveries: deliveries, tag: tag, queue: queue, channel: self)
    }

    /// Cancels a consumer; its sequence finishes normally. Deliveries still in flight are requeued.
    public func cancel(_ consumer: AMQPConsumer) async throws {
        let tag = consumer.tag
        try await run("basic.cancel") { core, ch throws(AMQPError) in
            guard let c = ch.consumers.removeValue(forKey: tag) else { return }
            ch.cancelledConsumers[tag] = c.noAck
            try core.wireCancel(ch.id, tag: tag)
            c.queue.finish(nil)
        }
    }

    // MARK: Acknowledgements

    public func ack(_ delivery: AMQPDelivery, multiple: Bool = false) async throws {
        try await acknowledge(delivery, "basic.ack") { conn, id, tag in amqp_basic_ack(conn, id, tag, multiple ? 1 : 0)
        }
    }

    public func nack(_ delivery: AMQPDelivery, multiple: Bool = false, requeue: Bool) async throws {
        try await acknowledge(delivery, "basic.nack") { conn, id, tag in
            amqp_basic_nack(conn, id, tag, multiple ? 1 : 0, requeue ? 1 : 0)
        }
    }

    public func reject(_ delivery: AMQPDelivery, requeue: Bool) async throws {
        try await acknowledge(delivery, "basic.reject") { conn, id, tag in
            amqp_basic_reject(conn, id, tag, requeue ? 1 : 0)
        }
    }

    private func acknowledge(
        _ delivery: AMQPDelivery, _ operation: String,
        _ send: @escaping @Sendable (amqp_connection_state_t, UInt16, UInt64) -> Int32
    ) async throws {
        guard delivery.channel == self else {
            throw AMQPError(
                .invalidArgument, context: .init(operation: operation, channel: id),
                detail: "the delivery arrived on channel \(delivery.channel.id), not this one")
        }
        let tag = delivery.deliveryTag
        let epoch = delivery.epoch
        guard epoch == shared.generation.load(ordering: .acquiring) else {
            throw AMQPError(
                .staleDelivery,
                context: .init(
                    broker: shared.configuration.brokerAddress,
                    operation: operation, channel: id),
                detail: "the broker will redeliver it")
        }
        let work: @Sendable (ConnectionCore, ChannelState) throws(AMQPError) -> Void = { core, ch throws(AMQPError) in
            // Checked again here: a reconnect may have happened since the check above.
            guard core.shared.generation.load(ordering: .acquiring) == epoch else { return }
            try core.checkSend(
                send(try core.liveConnection(core.context(operation, channel: ch.id)), ch.id, tag),
                core.context(operation, channel: ch.id))
        }
        if flags.closed.load(ordering: .acquiring) || !shared.connected.load(ordering: .acquiring) {
            // The slow path throws the reason (the broker's close, or the lost connection).
            try await run(operation, work)
            return
        }
        // An acknowledgement has no reply: write it now if the socket takes it at once, else hand it over
        // without waiting, in order with the rest.
        let id = self.id
        let serial = self.serial
        let written = try shared.wire.writeIfIdle(bytes: 64) { core throws(AMQPError) in
            try work(core, try core.channel(id, serial: serial, operation: operation))
            return true
        }
        if written { return }
        let accepted = shared.mailbox.post { core in
            do {
                try work(core, try core.channel(id, serial: serial, operation: operation))
            } catch {
                core.logger.debug("AMQP acknowledgement failed after hand-over", metadata: ["amqp.error": "\(error)"])
            }
        }
        if !accepted { throw shared.closedError(operation) }
    }

    /// Closes the channel. Its consumers finish; unconfirmed publishes fail with `closed`.
    public func close() async {
        let id = self.id
        let serial = self.serial
        _ = try? await shared.perform("channel.close") { core throws(AMQPError) in
            guard let ch = try? core.channel(id, serial: serial, operation: "channel.close") else { return }
            core.forgetChannel(ch, reason: AMQPError(.closed, context: core.context("channel.close", channel: id)))
            try? core.closeChannelOnWire(id)
        }
    }
}

/// The deliveries of one consumer, in order. Iterate it from one task; cancelling that task cancels the
/// consumer on the broker.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery
    let deliveries: DeliveryQueue
    /// The consumer tag the broker knows it by.
    public let tag: String
    public let queue: String
    public let channel: AMQPChannel

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: DeliveryQueue.Iterator
        public mutating func next() async throws -> AMQPDelivery? { try await base.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: DeliveryQueue.Iterator(queue: deliveries)) }

    /// Cancels the consumer on the broker; iteration then ends.
    public func cancel() async throws { try await channel.cancel(self) }
}
