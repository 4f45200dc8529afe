import CRabbitMQ
import Foundation
import Logging
import Synchronization

/// Something that happened to a connection, for its owner to log or act on.
public enum AMQPConnectionEvent: Sendable, Hashable {
    /// The connection broke; with reconnect on, attempts follow.
    case disconnected(AMQPError)
    /// The connection is back: channels, qos, confirm mode, declarations and consumers are restored.
    /// Server-named queues were declared anew; this maps each old name to its new one.
    case reconnected(renamedQueues: [String: String])
    /// The broker blocks publishing (a memory or disk alarm); publishes wait.
    case blocked(reason: String)
    case unblocked
    /// The connection is closed for good.
    case closed
}

extension AMQPError: Hashable {
    public static func == (lhs: AMQPError, rhs: AMQPError) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}

/// What channels and connection share: the way to the owner thread. Thread-safe.
final class ConnectionShared: Sendable {
    let mailbox: Mailbox
    let configuration: AMQPConfiguration
    /// The lock around the rabbitmq-c connection; see ``WireAccess``.
    let wire = WireAccess()
    let connected = Atomic<Bool>(false)
    /// True while the broker blocks publishers (connection.blocked).
    let blocked = Atomic<Bool>(false)
    /// Bumped at every reconnect: a delivery from an earlier generation cannot be acknowledged.
    let generation = Atomic<UInt64>(0)
    /// Frames written by the calling task itself (``WireAccess``) and publishes handed to the owner
    /// thread without waiting; for tests that both paths are taken.
    let callerWrites = Atomic<Int>(0)
    let handedOverPublishes = Atomic<Int>(0)

    let executor: OwnerThreadExecutor

    init(mailbox: Mailbox, configuration: AMQPConfiguration) {
        self.mailbox = mailbox
        self.configuration = configuration
        executor = OwnerThreadExecutor(mailbox: mailbox)
    }

    func closedError(_ operation: String) -> AMQPError {
        AMQPError(
            .closed,
            context: .init(
                broker: configuration.brokerAddress, vhost: configuration.virtualHost,
                operation: operation))
    }

    /// Runs `body` on the owner thread and returns its result.
    func perform<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (ConnectionCore) throws(AMQPError) -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = mailbox.post { core in
                do {
                    continuation.resume(returning: try body(core))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if !accepted { continuation.resume(throwing: closedError(operation)) }
        }
    }

    /// Runs `body` on the owner thread, which resumes the continuation when the result is known
    /// (for example when the broker confirms a publish). With `directWriteOf`, `body` writes a frame of
    /// about that many bytes and may run on the calling thread instead when the socket takes it at once
    /// (see ``WireAccess``).
    func performDeferred<T: Sendable>(
        _ operation: String, directWriteOf bytes: Int? = nil,
        _ body: @escaping @Sendable (ConnectionCore, CheckedContinuation<T, any Error>) -> Void
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            if let bytes {
                // `body` reports its own failures through the continuation: nothing is thrown here.
                let ran =
                    (try? wire.writeIfIdle(bytes: bytes) { core in
                        body(core, continuation)
                        return true
                    }) ?? false
                if ran { return }
            }
            let accepted = mailbox.post { core in body(core, continuation) }
            if !accepted { continuation.resume(throwing: closedError(operation)) }
        }
    }
}

/// What a channel's handles may check without a trip to the owner thread.
final class ChannelFlags: Sendable {
    let confirmMode = Atomic<Bool>(false)
    let closed = Atomic<Bool>(false)
}

/// A connection to a RabbitMQ broker, served by one thread of its own.
///
/// rabbitmq-c connections block and are not thread-safe, so every call runs on the connection's owner
/// thread; this class hands work to it and awaits the answer, so no blocking call ever runs on the
/// cooperative pool. The owner thread also services heartbeats and, when the connection breaks,
/// reconnects with backoff and restores channels, qos, confirm mode, declarations and consumers.
///
/// Call ``close()`` when done: the owner thread runs until then.
public final class AMQPConnection: Sendable {
    let shared: ConnectionShared
    /// Connection events; iterate it from one task. Buffered (newest 256).
    public let events: AsyncStream<AMQPConnectionEvent>
    public let configuration: AMQPConfiguration

    private init(shared: ConnectionShared, events: AsyncStream<AMQPConnectionEvent>) {
        self.shared = shared
        self.events = events
        self.configuration = shared.configuration
    }

    /// Connects and logs in. Fails with a clear ``AMQPError`` (refused, timeout, TLS, login) within
    /// about `connectTimeout`; no reconnect is tried for the first connection.
    public static func connect(
        _ configuration: AMQPConfiguration, logger: Logger = Logger(label: "vum.amqp")
    ) async throws -> AMQPConnection {
        let mailbox = Mailbox()
        let shared = ConnectionShared(mailbox: mailbox, configuration: configuration)
        let (events, eventContinuation) = AsyncStream<AMQPConnectionEvent>.makeStream(
            bufferingPolicy: .bufferingNewest(256))
        let core = OwnerThreadTransfer(
            value: ConnectionCore(
                configuration: configuration, logger: logger, mailbox: mailbox, shared: shared,
                events: eventContinuation))
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                // Foundation on Linux does not pass `Thread.name` to the system, and a new thread
                // inherits its creator's name; named, the owner thread is told apart in top and perf.
                vumamqp_name_thread("amqp:\(configuration.addresses[0].port)")
                core.value.runLoop { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                }
            }
            thread.start()
        }
        return AMQPConnection(shared: shared, events: events)
    }

    deinit {
        _ = shared.mailbox.post { core in core.closeConnection() }
    }

    /// An executor on the connection's own thread, for a task that consumes and answers with little work
    /// per message and wants the lowest latency: `Task(executorPreference: connection.executor) { ... }`.
    /// Such a task resumes right where the delivery is read, without waking a thread of the cooperative
    /// pool, and its small publishes and acks are written from there. While its code runs the
    /// connection reads nothing and sends no heartbeat: never block in it, and hand longer work to
    /// another task. After ``close()`` its jobs run on the global concurrent queue.
    public var executor: any TaskExecutor { shared.executor }

    /// Whether the connection is up right now (false while reconnecting).
    public var isConnected: Bool { shared.connected.load(ordering: .acquiring) }

    /// Opens a channel.
    public func openChannel() async throws -> AMQPChannel {
        let (returns, returnsContinuation) = AsyncStream<AMQPReturnedMessage>.makeStream(
            bufferingPolicy: .bufferingNewest(1024))
        let shared = self.shared
        return try await shared.perform("channel.open") { core throws(AMQPError) in
            try core.openChannel(returns: returns, continuation: returnsContinuation)
        }
    }

    /// Whether an exchange exists (a passive declare on a channel of its own).
    public func exchangeExists(_ name: String) async throws -> Bool {
        try await withTemporaryChannel { channel in
            do {
                try await channel.declareExchange(name, type: .direct, passive: true)
                return true
            } catch let error as AMQPError where error.code == .notFound {
                return false
            }
        }
    }

    /// The queue's name and counts, or `nil` when it does not exist (a passive declare).
    public func queueInfo(_ name: String) async throws -> AMQPQueueInfo? {
        try await withTemporaryChannel { channel in
            do {
                return try await channel.declareQueue(name, passive: true)
            } catch let error as AMQPError where error.code == .notFound {
                return nil
            }
        }
    }

    private func withTemporaryChannel<T: Sendable>(_ body: (AMQPChannel) async throws -> T) async throws -> T {
        let channel = try await openChannel()
        do {
            let result = try await body(channel)
            await channel.close()
            return result
        } catch {
            await channel.close()
            throw error
        }
    }

    /// Closes the connection gracefully: consumers end, unconfirmed publishes fail, the thread stops.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let accepted = shared.mailbox.post { core in
                core.closeConnection { continuation.resume() }
            }
            if !accepted { continuation.resume() }
        }
    }
}

extension ConnectionCore {
    func openChannel(
        returns: AsyncStream<AMQPReturnedMessage>, continuation: AsyncStream<AMQPReturnedMessage>.Continuation
    ) throws(AMQPError) -> AMQPChannel {
        guard let id = freeChannelID() else {
            throw AMQPError(
                .invalidArgument, context: context("channel.open"),
                detail: "all \(channelMax) channels are in use")
        }
        try openChannelOnWire(id)
        let serial = nextSerial
        nextSerial += 1
        let handle = AMQPChannel(shared: shared, id: id, serial: serial, flags: ChannelFlags(), returns: returns)
        channels[id] = ChannelState(handle: handle, returns: continuation)
        return handle
    }

    func closeConnection(then callback: (() -> Void)? = nil) {
        if let conn = connection {
            connection = nil
            for channel in channels.values { channel.finishConsumers(nil) }
            let error = AMQPError(.closed, context: context("connection.close"))
            for channel in channels.values { forgetChannel(channel, reason: error) }
            let parked = parkedPublishes
            parkedPublishes = []
            for p in parked { p.fail(error) }
            _ = amqp_connection_close(conn, Int32(AMQP_REPLY_SUCCESS))
            amqp_destroy_connection(conn)
        } else {
            let error = AMQPError(.closed, context: context("connection.close"))
            for channel in channels.values { forgetChannel(channel, reason: error) }
        }
        requestStop(then: callback)
    }
}
