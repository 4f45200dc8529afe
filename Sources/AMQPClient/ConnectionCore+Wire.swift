import CRabbitMQ
import Foundation

/// Synchronous AMQP methods, each one rabbitmq-c RPC on the owner thread.
///
/// Frames that arrive while an RPC waits (deliveries, confirms) are queued by rabbitmq-c and handled by
/// the loop afterwards. A broker exception closes the channel (or the connection): ``checkRPC`` answers
/// the close, records why, and throws an error that says what and where.
extension ConnectionCore {
    /// The C connection; the context is built only when there is none (publish and ack are hot paths).
    func liveConnection(_ ctx: @autoclosure () -> AMQPError.Context) throws(AMQPError) -> amqp_connection_state_t {
        guard let connection else {
            throw AMQPError(
                .connectionLost, context: ctx(), detail: configuration.reconnect != nil ? "reconnecting" : nil)
        }
        return connection
    }

    func checkRPC(_ reply: amqp_rpc_reply_t, channel: UInt16, _ ctx: AMQPError.Context) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            lastReceive = .now
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if reply.reply.id == Method.channelClose {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                let error = Self.replyError(
                    code: close.reply_code, text: CDecode.string(close.reply_text),
                    connectionLevel: false, context: ctx)
                if let conn = connection {
                    var ok = amqp_channel_close_ok_t(dummy: 0)
                    _ = amqp_send_method(conn, channel, Method.channelCloseOk, &ok)
                }
                if let state = channels[channel] { forgetChannel(state, reason: error) }
                throw error
            }
            if reply.reply.id == Method.connectionClose {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                let error = Self.replyError(
                    code: close.reply_code, text: CDecode.string(close.reply_text),
                    connectionLevel: true, context: ctx)
                if let conn = connection {
                    var ok = amqp_connection_close_ok_t(dummy: 0)
                    _ = amqp_send_method(conn, 0, Method.connectionCloseOk, &ok)
                }
                connectionLost(error)
                throw error
            }
            throw AMQPError(
                .protocolError, context: ctx, detail: "unexpected method 0x\(String(reply.reply.id, radix: 16))")
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            // After a library error (timeout, socket error) the connection's state is undefined.
            var error = Self.libraryError(reply.library_error, context: ctx)
            if error.code == .timeout { error.detail = "no reply within \(configuration.requestTimeout)" }
            var lost = error
            lost.code = .connectionLost
            connectionLost(lost)
            throw error
        default:
            let error = AMQPError(.connectionLost, context: ctx, detail: "the broker closed the socket")
            connectionLost(error)
            throw error
        }
    }

    func openChannelOnWire(_ id: UInt16) throws(AMQPError) {
        let ctx = context("channel.open", channel: id)
        let conn = try liveConnection(ctx)
        _ = amqp_channel_open(conn, id)
        try checkRPC(amqp_get_rpc_reply(conn), channel: id, ctx)
    }

    func closeChannelOnWire(_ id: UInt16) throws(AMQPError) {
        let ctx = context("channel.close", channel: id)
        let conn = try liveConnection(ctx)
        try checkRPC(amqp_channel_close(conn, id, Int32(AMQP_REPLY_SUCCESS)), channel: id, ctx)
    }

    func wireDeclareExchange(
        _ ch: UInt16, name: String, type: AMQPExchangeType, passive: Bool, durable: Bool,
        autoDelete: Bool, isInternal: Bool, arguments: AMQPTable
    ) throws(AMQPError) {
        let ctx = context(passive ? "exchange.declare (passive)" : "exchange.declare", channel: ch, exchange: name)
        let conn = try liveConnection(ctx)
        let arena = CArena()
        _ = amqp_exchange_declare(
            conn, ch, arena.bytes(name), arena.bytes(type.rawValue), passive ? 1 : 0,
            durable ? 1 : 0, autoDelete ? 1 : 0, isInternal ? 1 : 0, arena.table(arguments))
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
    }

    func wireDeleteExchange(_ ch: UInt16, name: String, ifUnused: Bool) throws(AMQPError) {
        let ctx = context("exchange.delete", channel: ch, exchange: name)
        let conn = try liveConnection(ctx)
        let arena = CArena()
        _ = amqp_exchange_delete(conn, ch, arena.bytes(name), ifUnused ? 1 : 0)
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
    }

    func wireDeclareQueue(
        _ ch: UInt16, name: String, passive: Bool, durable: Bool, exclusive: Bool,
        autoDelete: Bool, arguments: AMQPTable
    ) throws(AMQPError) -> AMQPQueueInfo {
        let ctx = context(
            passive ? "queue.declare (passive)" : "queue.declare", channel: ch,
            queue: name.isEmpty ? "(server-named)" : name)
        let conn = try liveConnection(ctx)
        let arena = CArena()
        let ok = amqp_queue_declare(
            conn, ch, arena.bytes(name), passive ? 1 : 0, durable ? 1 : 0,
            exclusive ? 1 : 0, autoDelete ? 1 : 0, arena.table(arguments))
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
        guard let ok else { throw AMQPError(.protocolError, context: ctx, detail: "no declare-ok") }
        return AMQPQueueInfo(
            name: CDecode.string(ok.pointee.queue), messageCount: ok.pointee.message_count,
            consumerCount: ok.pointee.consumer_count)
    }

    func wireBindQueue(
        _ ch: UInt16, queue: String, exchange: String, routingKey: String,
        arguments: AMQPTable
    ) throws(AMQPError) {
        let ctx = context("queue.bind", channel: ch, exchange: exchange, queue: queue, routingKey: routingKey)
        let conn = try liveConnection(ctx)
        let arena = CArena()
        _ = amqp_queue_bind(
            conn, ch, arena.bytes(queue), arena.bytes(exchange), arena.bytes(routingKey),
            arena.table(arguments))
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
    }

    func wireUnbindQueue(
        _ ch: UInt16, queue: String, exchange: String, routingKey: String,
        arguments: AMQPTable
    ) throws(AMQPError) {
        let ctx = context("queue.unbind", channel: ch, exchange: exchange, queue: queue, routingKey: routingKey)
        let conn = try liveConnection(ctx)
        let arena = CArena()
        _ = amqp_queue_unbind(
            conn, ch, arena.bytes(queue), arena.bytes(exchange), arena.bytes(routingKey),
            arena.table(arguments))
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
    }

    func wireDeleteQueue(_ ch: UInt16, name: String, ifUnused: Bool, ifEmpty: Bool) throws(AMQPError) -> UInt32 {
        let ctx = context("queue.delete", channel: ch, queue: name)
        let conn = try liveConnection(ctx)
        let arena = CArena()
        let ok = amqp_queue_delete(conn, ch, arena.bytes(name), ifUnused ? 1 : 0, ifEmpty ? 1 : 0)
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
        return ok?.pointee.message_count ?? 0
    }

    func wirePurgeQueue(_ ch: UInt16, name: String) throws(AMQPError) -> UInt32 {
        let ctx = context("queue.purge", channel: ch, queue: name)
        let conn = try liveConnection(ctx)
        let arena = CArena()
        let ok = amqp_queue_purge(conn, ch, arena.bytes(name))
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
        return ok?.pointee.message_count ?? 0
    }

    func wireQos(_ ch: UInt16, prefetchCount: UInt16, global: Bool) throws(AMQPError) {
        let ctx = context("basic.qos", channel: ch)
        let conn = try liveConnection(ctx)
        _ = amqp_basic_qos(conn, ch, 0, prefetchCount, global ? 1 : 0)
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
    }

    func wireConfirmSelect(_ ch: UInt16) throws(AMQPError) {
        let ctx = context("confirm.select", channel: ch)
        let conn = try liveConnection(ctx)
        _ = amqp_confirm_select(conn, ch)
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
    }

    func wireConsume(
        _ ch: UInt16, queue: String, tag: String, noAck: Bool, exclusive: Bool,
        arguments: AMQPTable
    ) throws(AMQPError) {
        let ctx = context("basic.consume", channel: ch, queue: queue)
        let conn = try liveConnection(ctx)
        let arena = CArena()
        _ = amqp_basic_consume(
            conn, ch, arena.bytes(queue), arena.bytes(tag), 0, noAck ? 1 : 0,
            exclusive ? 1 : 0, arena.table(arguments))
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
    }

    func wireCancel(_ ch: UInt16, tag: String) throws(AMQPError) {
        let ctx = context("basic.cancel", channel: ch)
        let conn = try liveConnection(ctx)
        let arena = CArena()
        _ = amqp_basic_cancel(conn, ch, arena.bytes(tag))
        try checkRPC(amqp_get_rpc_reply(conn), channel: ch, ctx)
    }

    /// Writes one message (method, header and body frames) on the channel.
    func send(
        _ body: Data, on state: ChannelState, exchange: String, routingKey: String, mandatory: Bool,
        properties: AMQPProperties
    ) throws(AMQPError) {
        func ctx() -> AMQPError.Context {
            context("basic.publish", channel: state.id, exchange: exchange, routingKey: routingKey)
        }
        let conn = try liveConnection(ctx())
        let arena = publishArena
        defer { arena.reset() }
        var cProperties = arena.properties(properties)
        let plainTCP = configuration.tls == nil
        let status = body.withUnsafeBytes { raw in
            let cBody = amqp_bytes_t(len: raw.count, bytes: UnsafeMutableRawPointer(mutating: raw.baseAddress))
            // Over plain TCP all frames of the message in one system call (see `vumamqp_publish_plain`).
            return plainTCP
                ? vumamqp_publish_plain(
                    conn, state.id, arena.bytes(exchange), arena.bytes(routingKey),
                    mandatory ? 1 : 0, &cProperties, cBody)
                : amqp_basic_publish(
                    conn, state.id, arena.bytes(exchange), arena.bytes(routingKey),
                    mandatory ? 1 : 0, 0, &cProperties, cBody)
        }
        try checkSend(status, ctx())
    }

    /// Checks a status from a method that is only sent (publish, ack): a failure means the socket broke.
    func checkSend(_ status: Int32, _ ctx: @autoclosure () -> AMQPError.Context) throws(AMQPError) {
        guard status != AMQP_STATUS_OK.rawValue else { return }
        var error = Self.libraryError(status, context: ctx())
        error.code = .connectionLost
        connectionLost(error)
        throw error
    }
}

// MARK: - Frames from the broker

extension ConnectionCore {
    /// Handles every frame that is already buffered or readable, without blocking.
    func readAvailableFrames() {
        var zero = Glibc.timeval(tv_sec: 0, tv_usec: 0)
        var frame = amqp_frame_t()
        var received = false
        // One clock read per batch, not per frame: under load that was 2 % of the owner thread's time.
        defer {
            if received { lastReceive = .now }
            wakeConsumers()
        }
        while let conn = connection {
            let status = amqp_simple_wait_frame_noblock(conn, &frame, &zero)
            if status == AMQP_STATUS_TIMEOUT.rawValue { break }
            if status != AMQP_STATUS_OK.rawValue {
                var error = Self.libraryError(status, context: context())
                if error.code != .heartbeatTimeout { error.code = .connectionLost }
                connectionLost(error)
                return
            }
            received = true
            handle(frame)
            // rabbitmq-c reads each frame into its channel's pool; handling copied out what is kept, so the pool
            // is recycled now. Once per batch (below) was not enough: while the broker kept the socket full
            // the loop never reached it, and every body frame read (up to 128 KB each) stayed allocated.
            if let current = connection { amqp_maybe_release_buffers_on_channel(current, frame.channel) }
            // Consumers are woken once what was read from the socket is handed out, each with all of its
            // deliveries in it; before the next read, so a lone delivery does not wait for that syscall.
            // `self.connection`, not `conn`: handling the frame may have lost and freed the connection.
            guard let current = connection,
                amqp_data_in_buffer(current) == 0 && amqp_frames_enqueued(current) == 0
            else { continue }
            wakeConsumers()
            // Over plain TCP what is not in rabbitmq-c's buffer is still in the socket, which the run loop's
            // next `poll` watches: asking now would be a `recv` that finds nothing and a `poll` with zero
            // timeout, with the owner lock held, in the way of a woken consumer's direct write. Over TLS
            // the TLS library may hold decrypted bytes that `poll` cannot see, so it reads until empty.
            if configuration.tls == nil { break }
        }
        // Every channel's pool, for what was decoded outside this loop (the replies of synchronous methods).
        if let conn = connection, amqp_frames_enqueued(conn) == 0 {
            amqp_maybe_release_buffers(conn)
        }
    }

    private func wakeConsumers() {
        guard !consumersToWake.isEmpty else { return }
        for consumer in consumersToWake { consumer.resume() }
        consumersToWake.removeAll(keepingCapacity: true)
    }

    private func handle(_ frame: amqp_frame_t) {
        switch Int32(frame.frame_type) {
        case AMQP_FRAME_METHOD:
            handleMethod(channel: frame.channel, id: frame.payload.method.id, decoded: frame.payload.method.decoded)
        case AMQP_FRAME_HEADER:
            guard let state = channels[frame.channel], state.content != nil else { return }
            let properties = frame.payload.properties.decoded.assumingMemoryBound(to: amqp_basic_properties_t.self)
            state.content!.properties = CDecode.properties(properties.pointee)
            state.content!.bodySize = Int(frame.payload.properties.body_size)
            state.content!.body.reserveCapacity(state.content!.bodySize)
            if state.content!.bodySize == 0 { completeContent(state) }
        case AMQP_FRAME_BODY:
            guard let state = channels[frame.channel], state.content != nil else { return }
            let fragment = frame.payload.body_fragment
            if fragment.len > 0, let bytes = fragment.bytes {
                state.content!.body.append(bytes.assumingMemoryBound(to: UInt8.self), count: fragment.len)
            }
            if state.content!.body.count >= state.content!.bodySize { completeContent(state) }
        default:
            break
        }
    }

    private func handleMethod(channel id: UInt16, id method: amqp_method_number_t, decoded: UnsafeMutableRawPointer?) {
        guard let decoded else { return }
        if id == 0 {
            handleConnectionMethod(method, decoded)
            return
        }
        guard let state = channels[id] else { return }
        switch method {
        case Method.basicDeliver:
            let d = decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            state.content = .init(
                kind: .delivery(
                    consumerTag: CDecode.string(d.consumer_tag),
                    deliveryTag: d.delivery_tag, redelivered: d.redelivered != 0,
                    exchange: CDecode.string(d.exchange),
                    routingKey: CDecode.string(d.routing_key)))
        case Method.basicReturn:
            let r = decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            state.content = .init(
                kind: .returned(
                    replyCode: r.reply_code, replyText: CDecode.string(r.reply_text),
                    exchange: CDecode.string(r.exchange),
                    routingKey: CDecode.string(r.routing_key)))
        case Method.basicAck:
            let a = decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            state.confirm(upTo: a.delivery_tag, multiple: a.multiple != 0, nack: nil)
        case Method.basicNack:
            let n = decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            state.confirm(
                upTo: n.delivery_tag, multiple: n.multiple != 0,
                nack: AMQPError(.publishNacked, context: context("basic.publish", channel: id)))
        case Method.basicCancel:
            // consumer_cancel_notify: the queue was deleted or its node went away.
            let c = decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            let tag = CDecode.string(c.consumer_tag)
            if let consumer = state.consumers.removeValue(forKey: tag) {
                state.cancelledConsumers[tag] = consumer.noAck
                logger.debug("AMQP consumer cancelled by the broker", metadata: ["amqp.queue": "\(consumer.queueName)"])
                consumer.queue.finish(
                    AMQPError(
                        .consumerCancelled, context: context("basic.consume", channel: id, queue: consumer.queueName),
                        detail: "the queue was deleted or is no longer available"))
            }
            if c.nowait == 0, let conn = connection {
                let arena = CArena()
                var ok = amqp_basic_cancel_ok_t(consumer_tag: arena.bytes(tag))
                _ = amqp_send_method(conn, id, Method.basicCancelOk, &ok)
            }
        case Method.channelClose:
            let c = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let error = Self.replyError(
                code: c.reply_code, text: CDecode.string(c.reply_text), connectionLevel: false,
                context: context(channel: id))
            if let conn = connection {
                var ok = amqp_channel_close_ok_t(dummy: 0)
                _ = amqp_send_method(conn, id, Method.channelCloseOk, &ok)
            }
            logger.debug(
                "AMQP channel closed by the broker", metadata: ["amqp.channel": "\(id)", "amqp.error": "\(error)"])
            forgetChannel(state, reason: error)
        case Method.channelFlow:
            let f = decoded.assumingMemoryBound(to: amqp_channel_flow_t.self).pointee
            if let conn = connection {
                var ok = amqp_channel_flow_ok_t(active: f.active)
                _ = amqp_send_method(conn, id, Method.channelFlowOk, &ok)
            }
        default:
            break
        }
    }

    private func handleConnectionMethod(_ method: amqp_method_number_t, _ decoded: UnsafeMutableRawPointer) {
        switch method {
        case Method.connectionClose:
            let c = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let error = Self.replyError(
                code: c.reply_code, text: CDecode.string(c.reply_text), connectionLevel: true,
                context: context())
            if let conn = connection {
                var ok = amqp_connection_close_ok_t(dummy: 0)
                _ = amqp_send_method(conn, 0, Method.connectionCloseOk, &ok)
            }
            connectionLost(error)
        case Method.connectionBlocked:
            let b = decoded.assumingMemoryBound(to: amqp_connection_blocked_t.self).pointee
            blocked = true
            shared.blocked.store(true, ordering: .releasing)
            let reason = CDecode.string(b.reason)
            logger.info("AMQP broker blocked publishing", metadata: ["amqp.reason": "\(reason)"])
            events.yield(.blocked(reason: reason))
        case Method.connectionUnblocked:
            blocked = false
            shared.blocked.store(false, ordering: .releasing)
            logger.info("AMQP broker unblocked publishing")
            events.yield(.unblocked)
        default:
            break
        }
    }

    private func completeContent(_ state: ChannelState) {
        guard let content = state.content else { return }
        state.content = nil
        switch content.kind {
        case .delivery(let consumerTag, let deliveryTag, let redelivered, let exchange, let routingKey):
            if let consumer = state.consumers[consumerTag] {
                let delivery = AMQPDelivery(
                    body: content.body, properties: content.properties, deliveryTag: deliveryTag,
                    redelivered: redelivered, exchange: exchange, routingKey: routingKey, consumerTag: consumerTag,
                    channel: state.handle, epoch: shared.generation.load(ordering: .relaxed))
                if let waiting = consumer.queue.append(delivery) { consumersToWake.append(waiting) }
            } else if state.cancelledConsumers[consumerTag] == false, let conn = connection {
                // In flight when its consumer was cancelled: give it back to the queue, never lose it.
                _ = amqp_basic_reject(conn, state.id, deliveryTag, 1)
            }
        case .returned(let replyCode, let replyText, let exchange, let routingKey):
            let message = AMQPReturnedMessage(
                replyCode: replyCode, replyText: replyText, exchange: exchange,
                routingKey: routingKey, properties: content.properties,
                body: content.body)
            state.attachReturn(message)
            state.returns.yield(message)
        }
    }
}
