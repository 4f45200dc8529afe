import Foundation

/// The owner thread's bookkeeping for one open channel. Never touched off the owner thread.
final class ChannelState {
    struct PendingConfirm {
        let sequence: UInt64
        let messageID: String?
        var returned: AMQPReturnedMessage?
        let continuation: CheckedContinuation<AMQPPublishOutcome, any Error>
    }

    struct Consumer {
        let tag: String
        var queueName: String
        let noAck: Bool
        let exclusive: Bool
        let arguments: AMQPTable
        let queue: DeliveryQueue
    }

    /// A message whose method frame arrived and whose header and body frames are still coming.
    struct PendingContent {
        enum Kind {
            case delivery(
                consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String,
                routingKey: String)
            case returned(replyCode: UInt16, replyText: String, exchange: String, routingKey: String)
        }
        let kind: Kind
        var properties = AMQPProperties()
        var bodySize = -1
        var body = Data()
    }

    /// The handle the program holds; deliveries carry it, so acks find this channel without a new handle
    /// (and its `returns` stream) per message.
    let handle: AMQPChannel
    var id: UInt16 { handle.id }
    var serial: UInt64 { handle.serial }
    var flags: ChannelFlags { handle.flags }
    var qos: (prefetchCount: UInt16, global: Bool)?
    var confirmMode = false {
        didSet { flags.confirmMode.store(confirmMode, ordering: .releasing) }
    }
    var nextSequence: UInt64 = 1
    var pendingConfirms: [PendingConfirm] = []
    var consumers: [String: Consumer] = [:]
    /// Consumers cancelled recently, with their no-ack flag: deliveries still in flight for them are
    /// requeued (acknowledged ones) or dropped (no-ack ones, which the broker already forgot).
    var cancelledConsumers: [String: Bool] = [:]
    var content: PendingContent?
    var nextConsumerNumber = 1
    let returns: AsyncStream<AMQPReturnedMessage>.Continuation

    init(handle: AMQPChannel, returns: AsyncStream<AMQPReturnedMessage>.Continuation) {
        self.handle = handle
        self.returns = returns
    }

    /// Resolves confirms up to `tag` (or exactly `tag`), in order.
    func confirm(upTo tag: UInt64, multiple: Bool, nack: AMQPError?) {
        var resolved: [PendingConfirm] = []
        if multiple {
            let n = pendingConfirms.prefix { $0.sequence <= tag }.count
            resolved = Array(pendingConfirms.prefix(n))
            pendingConfirms.removeFirst(n)
        } else if let i = pendingConfirms.firstIndex(where: { $0.sequence == tag }) {
            resolved = [pendingConfirms.remove(at: i)]
        }
        for p in resolved {
            if let nack {
                p.continuation.resume(throwing: nack)
            } else if let r = p.returned {
                p.continuation.resume(returning: .returned(r))
            } else {
                p.continuation.resume(returning: .confirmed)
            }
        }
    }

    /// Attaches a returned message to the publish it came from (matched by message id), so that the
    /// publish's outcome says `returned` when its confirm arrives.
    func attachReturn(_ message: AMQPReturnedMessage) {
        guard confirmMode, let id = message.properties.messageID else { return }
        if let i = pendingConfirms.firstIndex(where: { $0.messageID == id && $0.returned == nil }) {
            pendingConfirms[i].returned = message
        }
    }

    func failPendingConfirms(_ error: AMQPError) {
        let pending = pendingConfirms
        pendingConfirms = []
        for p in pending { p.continuation.resume(throwing: error) }
    }

    func finishConsumers(_ error: AMQPError?) {
        let all = consumers
        consumers = [:]
        for c in all.values { c.queue.finish(error) }
    }
}
