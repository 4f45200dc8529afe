import CRabbitMQ
import Foundation
import Glibc
import Logging

/// Everything about one broker connection that rabbitmq-c touches, owned by one thread.
///
/// rabbitmq-c connections are not thread-safe and their calls block. This class is used only from its
/// owner thread (see ``runLoop()``): commands arrive through the ``Mailbox``, frames from the socket,
/// and both are handled in turn. The loop calls into the library at least every heartbeat/4, which is
/// when rabbitmq-c sends its heartbeats.
final class ConnectionCore {
    enum State {
        case connecting
        case open
        case reconnecting(at: ContinuousClock.Instant)
        case closed
    }

    struct ParkedPublish {
        let deadline: ContinuousClock.Instant
        let run: () -> Void
        let fail: (AMQPError) -> Void
    }

    let configuration: AMQPConfiguration
    private(set) var logger: Logger
    /// The nodes to try (`configuration.addresses`) and the one in use or tried next.
    let nodes: [AMQPConfiguration.Address]
    private(set) var nodeIndex = 0
    var node: AMQPConfiguration.Address { nodes[nodeIndex] }
    let mailbox: Mailbox
    let shared: ConnectionShared
    let events: AsyncStream<AMQPConnectionEvent>.Continuation

    var connection: amqp_connection_state_t?
    var state: State = .connecting
    var channels: [UInt16: ChannelState] = [:]
    var closedChannelReasons: [UInt64: AMQPError] = [:]
    var nextSerial: UInt64 = 1
    var channelMax: UInt16 = 2047
    var heartbeatSeconds: Int = 0
    var lastReceive = ContinuousClock.now
    /// Consuming tasks that were waiting when a delivery arrived, resumed after the batch of frames it came in.
    var consumersToWake: [CheckedContinuation<Void, Never>] = []
    var blocked = false
    var parkedPublishes: [ParkedPublish] = []
    var topology = TopologyRecord()
    /// Reused by every publish (reset after each): saves an allocation per message.
    let publishArena = CArena()
    var backoff: ReconnectBackoff
    private var stopRequested = false
    private var onStopped: [() -> Void] = []

    init(
        configuration: AMQPConfiguration, logger: Logger, mailbox: Mailbox, shared: ConnectionShared,
        events: AsyncStream<AMQPConnectionEvent>.Continuation
    ) {
        self.configuration = configuration
        nodes = configuration.addresses
        var logger = logger
        logger[metadataKey: "amqp.broker"] = "\(nodes[0])"
        self.logger = logger
        self.mailbox = mailbox
        self.shared = shared
        self.events = events
        let r = configuration.reconnect ?? AMQPConfiguration.Reconnect()
        backoff = ReconnectBackoff(initial: r.initialDelay, maximum: r.maximumDelay)
    }

    func context(
        _ operation: String? = nil, channel: UInt16? = nil, exchange: String? = nil,
        queue: String? = nil, routingKey: String? = nil
    ) -> AMQPError.Context {
        AMQPError.Context(
            broker: node.description, vhost: configuration.virtualHost, operation: operation,
            channel: channel, exchange: exchange, queue: queue, routingKey: routingKey)
    }

    // MARK: - The loop

    /// What the owner thread does between two turns holding the wire lock.
    private enum Pause {
        case none
        case poll(fd: Int32, timeout: Int32)
        case sleep(until: ContinuousClock.Instant)
        case stop
    }

    /// Connects, reports the outcome, then serves commands and frames until closed.
    ///
    /// Everything here runs holding the wire lock (``WireAccess``) except the sleep in `poll`, during
    /// which a task may write a small frame itself.
    func runLoop(started: @escaping (AMQPError?) -> Void) {
        let failure: AMQPError? = shared.wire.withOwnerLock {
            do throws(AMQPError) {
                try establishOnAnyNode()
                state = .open
                shared.connected.store(true, ordering: .releasing)
                shared.wire.attach(self)
                return nil
            } catch {
                state = .closed
                for command in mailbox.closeAndTake() { command(self) }
                return error
            }
        }
        started(failure)
        if failure != nil { return }
        while true {
            shared.executor.runQueuedJobs()
            let pause: Pause = shared.wire.withOwnerLock {
                for command in mailbox.take() { command(self) }
                expireParkedPublishes()
                if stopRequested { return .stop }
                switch state {
                case .open:
                    return prepareToPoll()
                case .reconnecting(let at):
                    if ContinuousClock.now >= at {
                        attemptReconnect()
                        return .none
                    }
                    return .sleep(until: at)
                case .connecting:
                    state = .closed
                    return .none
                case .closed:
                    stopRequested = true
                    return .stop
                }
            }
            switch pause {
            case .none:
                continue
            case .stop:
                shared.wire.withOwnerLock { finishAfterStop() }
                return
            case .sleep(let until):
                waitForWake(until: until)
            case .poll(let fd, let timeout):
                var fds = (
                    pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: mailbox.wakeFD, events: Int16(POLLIN), revents: 0)
                )
                let rc = withUnsafeMutableBytes(of: &fds) { raw in
                    poll(raw.baseAddress!.assumingMemoryBound(to: pollfd.self), 2, timeout)
                }
                mailbox.awake()
                if rc > 0 && fds.1.revents != 0 { mailbox.clearWake() }
                let readable = rc > 0 && fds.0.revents != 0
                shared.wire.withOwnerLock { afterPoll(readable: readable, idle: rc == 0 && timeout > 0) }
            }
        }
    }

    private func finishAfterStop() {
        shared.wire.attach(nil)
        shared.connected.store(false, ordering: .releasing)
        state = .closed
        // Commands that raced with the close still run: each sees the closed state and fails cleanly.
        for command in mailbox.closeAndTake() { command(self) }
        for job in mailbox.takeJobs() { shared.executor.runElsewhere(job) }
        events.yield(.closed)
        events.finish()
        for callback in onStopped { callback() }
    }

    /// Reads what rabbitmq-c already buffered, then says how long the owner thread may sleep in `poll`
    /// on the socket and the mailbox's eventfd: until either has something, a heartbeat is due, or a
    /// parked publish expires (not at all when commands are waiting).
    private func prepareToPoll() -> Pause {
        if let connection, amqp_frames_enqueued(connection) != 0 || amqp_data_in_buffer(connection) != 0 {
            readAvailableFrames()
        }
        guard case .open = state, let connection else { return .none }
        let timeout = mailbox.prepareToSleep() ? pollTimeoutMilliseconds() : 0
        return .poll(fd: amqp_get_sockfd(connection), timeout: timeout)
    }

    private func afterPoll(readable: Bool, idle: Bool) {
        guard connection != nil, case .open = state else { return }
        if readable {
            lastReceive = .now
            readAvailableFrames()
        } else if idle {
            // Idle: one call into the library lets rabbitmq-c send a heartbeat when one is due.
            readAvailableFrames()
        }
        checkHeartbeat()
    }

    private func pollTimeoutMilliseconds() -> Int32 {
        var ms: Int64 = heartbeatSeconds > 0 ? Int64(heartbeatSeconds) * 250 : 1000
        if let first = parkedPublishes.map(\.deadline).min() {
            let left = ContinuousClock.now.duration(to: first)
            ms = min(ms, max(1, left.milliseconds))
        }
        return Int32(clamping: max(1, ms))
    }

    /// Sleeps until the instant (at most a second) or until a command or job arrives.
    private func waitForWake(until instant: ContinuousClock.Instant) {
        guard mailbox.prepareToSleep() else { return }
        let left = max(1, ContinuousClock.now.duration(to: instant).milliseconds)
        var fds = [pollfd(fd: mailbox.wakeFD, events: Int16(POLLIN), revents: 0)]
        if poll(&fds, 1, Int32(clamping: min(left, 1000))) > 0 { mailbox.clearWake() }
        mailbox.awake()
    }

    private func checkHeartbeat() {
        guard heartbeatSeconds > 0, case .open = state else { return }
        if lastReceive.duration(to: .now) > .seconds(2 * heartbeatSeconds + 1) {
            connectionLost(
                AMQPError(
                    .heartbeatTimeout, context: context(),
                    detail: "nothing received for \(2 * heartbeatSeconds) s"))
        }
    }

    func requestStop(then callback: (() -> Void)? = nil) {
        stopRequested = true
        if let callback { onStopped.append(callback) }
    }

    // MARK: - Connecting

    /// The first connect: each node once, in order. When all fail, the error is the first node's, with
    /// what the others said.
    private func establishOnAnyNode() throws(AMQPError) {
        var failures: [AMQPError] = []
        for _ in nodes {
            do throws(AMQPError) {
                try establish()
                return
            } catch {
                // A refused login or certificate is the same answer from every node of a cluster.
                if nodes.count == 1 || error.code == .loginRefused || error.code == .notAllowed { throw error }
                logger.info("AMQP node unreachable; trying the next", metadata: ["amqp.error": "\(error)"])
                failures.append(error)
                moveToNextNode()
            }
        }
        var first = failures[0]
        let others = failures.dropFirst().map {
            "\($0.context.broker ?? "?"): \($0.detail ?? $0.replyText ?? $0.code.description)"
        }
        first.detail = [first.detail, "the other nodes failed too: " + others.joined(separator: "; ")]
            .compactMap { $0 }.joined(separator: "; ")
        throw first
    }

    /// Goes on with the next node of a cluster (round the list); nothing with one node.
    private func moveToNextNode() {
        guard nodes.count > 1 else { return }
        nodeIndex = (nodeIndex + 1) % nodes.count
        logger[metadataKey: "amqp.broker"] = "\(node)"
    }

    /// Opens the socket, logs in and tunes. Leaves `connection` set only on success.
    func establish() throws(AMQPError) {
        guard let conn = amqp_new_connection() else {
            throw AMQPError(.protocolError, context: context("connect"), detail: "amqp_new_connection failed")
        }
        var success = false
        defer { if !success { amqp_destroy_connection(conn) } }
        let arena = CArena()
        let socket: OpaquePointer?
        if let tls = configuration.tls {
            socket = amqp_ssl_socket_new(conn)
            guard let socket else {
                throw AMQPError(.tls, context: context("connect"), detail: "amqp_ssl_socket_new failed")
            }
            _ = amqp_ssl_socket_set_ssl_versions(socket, AMQP_TLSv1_2, AMQP_TLSvLATEST)
            var status = amqp_ssl_socket_set_cacert(socket, arena.cString(tls.caFile))
            if status != AMQP_STATUS_OK.rawValue {
                throw AMQPError(
                    .tls, context: context("connect"),
                    detail: "cannot use CA file \(tls.caFile): \(Self.statusText(status))")
            }
            if let cert = tls.certificateFile {
                guard let key = tls.keyFile else {
                    throw AMQPError(
                        .invalidArgument, context: context("connect"),
                        detail: "a client certificate needs its key file")
                }
                status = amqp_ssl_socket_set_key(socket, arena.cString(cert), arena.cString(key))
                if status != AMQP_STATUS_OK.rawValue {
                    throw AMQPError(
                        .tls, context: context("connect"),
                        detail: "cannot use client certificate \(cert) with key \(key): \(Self.statusText(status))")
                }
            }
            amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
            amqp_ssl_socket_set_verify_hostname(socket, tls.verifyHostname ? 1 : 0)
        } else {
            socket = amqp_tcp_socket_new(conn)
        }
        guard let socket else { throw AMQPError(.protocolError, context: context("connect"), detail: "no socket") }

        var connectTimeout = configuration.connectTimeout.timeval
        let status = amqp_socket_open_noblock(
            socket, arena.cString(node.host), Int32(node.port),
            &connectTimeout)
        if status != AMQP_STATUS_OK.rawValue {
            var error = Self.libraryError(status, context: context("connect"), connecting: true)
            if error.code == .connectTimeout {
                error.detail = "no TCP connection within connectTimeout (\(configuration.connectTimeout))"
            }
            throw error
        }
        var handshake = configuration.connectTimeout.timeval
        _ = amqp_set_handshake_timeout(conn, &handshake)
        var rpc = configuration.requestTimeout.timeval
        _ = amqp_set_rpc_timeout(conn, &rpc)

        var properties: AMQPTable = [
            "product": "VUM AMQPClient",
            "platform": "Swift",
            "capabilities": .table([
                "publisher_confirms": true,
                "consumer_cancel_notify": true,
                "connection.blocked": true,
                "basic.nack": true,
                "exchange_exchange_bindings": true,
                "authentication_failure_close": true,
            ]),
        ]
        if let name = configuration.connectionName { properties["connection_name"] = .string(name) }
        var cProperties = arena.table(properties)
        let heartbeat = Int32(configuration.heartbeat.components.seconds)
        let reply: amqp_rpc_reply_t
        switch configuration.authentication {
        case .plain(let user, let password):
            reply = vumamqp_login_plain(
                conn, arena.cString(configuration.virtualHost), 0,
                Int32(configuration.frameMax), heartbeat, &cProperties,
                arena.cString(user), arena.cString(password))
        case .external:
            reply = vumamqp_login_external(
                conn, arena.cString(configuration.virtualHost), 0,
                Int32(configuration.frameMax), heartbeat, &cProperties,
                arena.cString("certificate"))
        }
        try checkLogin(reply, connection: conn)
        heartbeatSeconds = Int(amqp_get_heartbeat(conn))
        let negotiatedChannelMax = amqp_get_channel_max(conn)
        channelMax = negotiatedChannelMax > 0 ? UInt16(clamping: negotiatedChannelMax) : 2047
        lastReceive = .now
        blocked = false
        connection = conn
        success = true
        logger.debug("AMQP connection open", metadata: ["amqp.heartbeat": "\(heartbeatSeconds)"])
    }

    private func checkLogin(_ reply: amqp_rpc_reply_t, connection conn: amqp_connection_state_t) throws(AMQPError) {
        let ctx = context("login")
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == Method.connectionClose:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let text = CDecode.string(close.reply_text)
            var ok = amqp_connection_close_ok_t(dummy: 0)
            _ = amqp_send_method(conn, 0, Method.connectionCloseOk, &ok)
            let code: AMQPError.Code =
                switch close.reply_code {
                case 403: .loginRefused
                case 530: .notAllowed
                default: .connectionClosed
                }
            throw AMQPError(code, replyCode: close.reply_code, replyText: text, context: ctx)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            let status = reply.library_error
            if status == AMQP_STATUS_CONNECTION_CLOSED.rawValue || status == AMQP_STATUS_SOCKET_ERROR.rawValue
                || status == AMQP_STATUS_SOCKET_CLOSED.rawValue
            {
                // RabbitMQ closes the socket during login when it refuses the client's TLS certificate
                // (TLS 1.3 reports that after the handshake) or when the peer does not speak AMQP.
                let code: AMQPError.Code = configuration.tls != nil ? .tls : .protocolError
                throw AMQPError(
                    code, context: ctx,
                    detail: "the broker closed the connection during login (\(Self.statusText(status)))"
                        + (configuration.tls != nil ? "; it may have refused the client certificate" : ""))
            }
            var error = Self.libraryError(status, context: ctx, connecting: true)
            if error.code == .connectTimeout {
                error.detail =
                    "connected, but no AMQP answer within connectTimeout "
                    + "(\(configuration.connectTimeout)): is this the broker's AMQP port?"
            }
            throw error
        default:
            throw AMQPError(.protocolError, context: ctx, detail: "unexpected login reply")
        }
    }

    // MARK: - Losing and restoring the connection

    /// The connection broke. Fails what waited on it, then reconnects (or stops, without reconnect).
    func connectionLost(_ error: AMQPError) {
        guard let conn = connection else { return }
        connection = nil
        amqp_destroy_connection(conn)
        shared.connected.store(false, ordering: .releasing)
        for channel in channels.values {
            channel.failPendingConfirms(error)
            channel.content = nil
        }
        let parked = parkedPublishes
        parkedPublishes = []
        for p in parked { p.fail(error) }
        blocked = false
        shared.blocked.store(false, ordering: .releasing)
        if configuration.reconnect != nil && !stopRequested {
            let delay = backoff.nextDelay()
            logger.info(
                "AMQP connection lost; reconnecting",
                metadata: ["amqp.error": "\(error)", "amqp.retry_in_ms": "\(delay.milliseconds)"])
            // In a cluster the node that dropped us is the one least likely to take us back at once.
            moveToNextNode()
            state = .reconnecting(at: .now + delay)
            events.yield(.disconnected(error))
        } else {
            for channel in channels.values {
                channel.finishConsumers(error)
                channel.returns.finish()
                closedChannelReasons[channel.serial] = error
            }
            channels = [:]
            state = .closed
            events.yield(.disconnected(error))
            stopRequested = true
        }
    }

    private func attemptReconnect() {
        do throws(AMQPError) {
            try establish()
        } catch {
            let delay = backoff.nextDelay()
            logger.info(
                "AMQP reconnect failed; trying again",
                metadata: ["amqp.error": "\(error)", "amqp.retry_in_ms": "\(delay.milliseconds)"])
            moveToNextNode()
            state = .reconnecting(at: .now + delay)
            return
        }
        state = .open
        do throws(AMQPError) {
            let renamed = try recoverTopologyAndChannels()
            backoff.reset()
            shared.connected.store(true, ordering: .releasing)
            logger.info("AMQP connection re-established", metadata: ["amqp.renamed_queues": "\(renamed)"])
            events.yield(.reconnected(renamedQueues: renamed))
        } catch {
            if connection != nil {
                connectionLost(error)
            }
        }
    }

    /// Declares the recorded topology again, reopens every channel with its qos and confirm mode, and
    /// restarts its consumers. Returns the server-named queues that got new names.
    private func recoverTopologyAndChannels() throws(AMQPError) -> [String: String] {
        // Before any new delivery: tags handed out under the old connection are now meaningless.
        shared.generation.add(1, ordering: .sequentiallyConsistent)
        var renamed: [String: String] = [:]
        let temporary = freeChannelID() ?? 1
        try openChannelOnWire(temporary)
        for entry in topology.entries {
            do throws(AMQPError) {
                switch entry {
                case .exchange(let name, let type, let durable, let autoDelete, let isInternal, let arguments):
                    try wireDeclareExchange(
                        temporary, name: name, type: type, passive: false, durable: durable,
                        autoDelete: autoDelete, isInternal: isInternal, arguments: arguments)
                case .queue(let name, let serverNamed, let durable, let exclusive, let autoDelete, let arguments):
                    let info = try wireDeclareQueue(
                        temporary, name: serverNamed ? "" : name, passive: false,
                        durable: durable, exclusive: exclusive, autoDelete: autoDelete,
                        arguments: arguments)
                    if info.name != name { renamed[name] = info.name }
                case .binding(let queue, let exchange, let routingKey, let arguments):
                    try wireBindQueue(
                        temporary, queue: renamed[queue] ?? queue, exchange: exchange,
                        routingKey: routingKey, arguments: arguments)
                }
            } catch let error where error.code != .connectionLost && connection != nil {
                logger.warning("AMQP recovery could not restore a declaration", metadata: ["amqp.error": "\(error)"])
                try openChannelOnWire(temporary)
            }
        }
        for (old, new) in renamed { topology.rename(old, to: new) }
        try closeChannelOnWire(temporary)

        for channel in channels.values.sorted(by: { $0.id < $1.id }) {
            try openChannelOnWire(channel.id)
            channel.nextSequence = 1
            if let qos = channel.qos { try wireQos(channel.id, prefetchCount: qos.prefetchCount, global: qos.global) }
            if channel.confirmMode { try wireConfirmSelect(channel.id) }
            for (tag, var consumer) in channel.consumers {
                consumer.queueName = renamed[consumer.queueName] ?? consumer.queueName
                channel.consumers[tag] = consumer
                do throws(AMQPError) {
                    try wireConsume(
                        channel.id, queue: consumer.queueName, tag: tag, noAck: consumer.noAck,
                        exclusive: consumer.exclusive, arguments: consumer.arguments)
                } catch let error where error.code != .connectionLost && connection != nil {
                    // The queue is gone or locked: this consumer cannot come back. Say so and go on.
                    channel.consumers[tag] = nil
                    consumer.queue.finish(error)
                    try openChannelOnWire(channel.id)
                }
            }
        }
        return renamed
    }

    // MARK: - Parked publishes (connection.blocked)

    func park(_ publish: ParkedPublish) {
        parkedPublishes.append(publish)
    }

    private func expireParkedPublishes() {
        guard !parkedPublishes.isEmpty else { return }
        let now = ContinuousClock.now
        if !blocked, case .open = state {
            let ready = parkedPublishes
            parkedPublishes = []
            for p in ready { p.run() }
            return
        }
        let expired = parkedPublishes.filter { $0.deadline <= now }
        guard !expired.isEmpty else { return }
        parkedPublishes.removeAll { $0.deadline <= now }
        for p in expired {
            p.fail(
                AMQPError(
                    .blockedTimeout, context: context("basic.publish"),
                    detail: "blocked longer than \(configuration.blockedPublishTimeout)"))
        }
    }

    // MARK: - Channels

    func freeChannelID() -> UInt16? {
        var id: UInt16 = 1
        while id <= channelMax {
            if channels[id] == nil { return id }
            id += 1
        }
        return nil
    }

    /// The live channel for a handle, or the reason it is not live.
    func channel(_ id: UInt16, serial: UInt64, operation: String) throws(AMQPError) -> ChannelState {
        if let channel = channels[id], channel.serial == serial {
            if connection == nil {
                throw AMQPError(
                    .connectionLost, context: context(operation, channel: id),
                    detail: configuration.reconnect != nil ? "reconnecting" : nil)
            }
            return channel
        }
        if let reason = closedChannelReasons[serial] {
            var error = reason
            if error.code != .closed && error.code != .connectionLost && error.code != .connectionClosed {
                error.detail = "the channel was closed earlier by the broker; open a new one"
            }
            error.context.operation = operation
            throw error
        }
        throw AMQPError(.closed, context: context(operation, channel: id))
    }

    func forgetChannel(_ channel: ChannelState, reason: AMQPError) {
        channels[channel.id] = nil
        closedChannelReasons[channel.serial] = reason
        if closedChannelReasons.count > 1024, let oldest = closedChannelReasons.keys.min() {
            closedChannelReasons[oldest] = nil
        }
        channel.flags.closed.store(true, ordering: .releasing)
        channel.failPendingConfirms(reason)
        channel.finishConsumers(reason.code == .closed ? nil : reason)
        channel.returns.finish()
    }

    // MARK: - Errors

    static func statusText(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }

    static func libraryError(_ status: Int32, context: AMQPError.Context, connecting: Bool = false) -> AMQPError {
        let text = statusText(status)
        let code: AMQPError.Code
        switch status {
        case AMQP_STATUS_TIMEOUT.rawValue:
            code = connecting ? .connectTimeout : .timeout
        case AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue:
            code = .heartbeatTimeout
        case AMQP_STATUS_SSL_ERROR.rawValue, AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue,
            AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue, AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue:
            code = .tls
        case AMQP_STATUS_SOCKET_ERROR.rawValue, AMQP_STATUS_TCP_ERROR.rawValue,
            AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED.rawValue:
            code = connecting ? .connectionRefused : .connectionLost
        case AMQP_STATUS_CONNECTION_CLOSED.rawValue, AMQP_STATUS_SOCKET_CLOSED.rawValue:
            code = .connectionLost
        case AMQP_STATUS_INCOMPATIBLE_AMQP_VERSION.rawValue, AMQP_STATUS_BAD_AMQP_DATA.rawValue,
            AMQP_STATUS_UNEXPECTED_STATE.rawValue, AMQP_STATUS_UNKNOWN_CLASS.rawValue,
            AMQP_STATUS_UNKNOWN_METHOD.rawValue, AMQP_STATUS_WRONG_METHOD.rawValue:
            code = .protocolError
        default:
            code = connecting ? .connectionRefused : .connectionLost
        }
        var detail = text
        if status == AMQP_STATUS_SOCKET_ERROR.rawValue || status == AMQP_STATUS_TCP_ERROR.rawValue {
            let e = errno
            if e == EINPROGRESS && connecting {
                // rabbitmq-c connects without blocking and leaves errno at EINPROGRESS when the attempt
                // then fails; the kernel's reason is not passed on.
                detail += ": the connection was refused, or the address is unreachable"
            } else if e != 0 {
                detail += ": " + String(cString: strerror(e))
            }
        }
        return AMQPError(code, context: context, detail: detail)
    }

    static func replyError(
        code replyCode: UInt16, text: String, connectionLevel: Bool,
        context: AMQPError.Context
    ) -> AMQPError {
        let code: AMQPError.Code =
            switch replyCode {
            case 403: .accessRefused
            case 404: .notFound
            case 405: .resourceLocked
            case 406: .preconditionFailed
            case 530: .notAllowed
            default: connectionLevel ? .connectionClosed : .channelClosed
            }
        return AMQPError(code, replyCode: replyCode, replyText: text, context: context)
    }
}

/// Method numbers (class << 16 | method); the C macros are casts, which Swift does not import.
enum Method {
    static let connectionClose: amqp_method_number_t = 0x000A_0032
    static let connectionCloseOk: amqp_method_number_t = 0x000A_0033
    static let connectionBlocked: amqp_method_number_t = 0x000A_003C
    static let connectionUnblocked: amqp_method_number_t = 0x000A_003D
    static let channelFlow: amqp_method_number_t = 0x0014_0014
    static let channelFlowOk: amqp_method_number_t = 0x0014_0015
    static let channelClose: amqp_method_number_t = 0x0014_0028
    static let channelCloseOk: amqp_method_number_t = 0x0014_0029
    static let basicCancel: amqp_method_number_t = 0x003C_001E
    static let basicCancelOk: amqp_method_number_t = 0x003C_001F
    static let basicReturn: amqp_method_number_t = 0x003C_0032
    static let basicDeliver: amqp_method_number_t = 0x003C_003C
    static let basicAck: amqp_method_number_t = 0x003C_0050
    static let basicNack: amqp_method_number_t = 0x003C_0078
}

extension Duration {
    var milliseconds: Int64 {
        let c = components
        return c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
    }

    var timeval: Glibc.timeval {
        let c = components
        return Glibc.timeval(tv_sec: Int(c.seconds), tv_usec: Int(c.attoseconds / 1_000_000_000_000))
    }
}
