import Foundation

/// The basic properties of a message. Unset properties are `nil` and are not sent.
public struct AMQPProperties: Sendable, Hashable {
    public enum DeliveryMode: UInt8, Sendable {
        case transient = 1
        case persistent = 2
    }

    public var contentType: String?
    public var contentEncoding: String?
    public var headers: AMQPTable?
    public var deliveryMode: DeliveryMode?
    public var priority: UInt8?
    public var correlationID: String?
    public var replyTo: String?
    /// Per-message TTL in milliseconds, as the string RabbitMQ expects (see ``expiration(milliseconds:)``).
    public var expiration: String?
    public var messageID: String?
    /// Seconds since 1970 (AMQP timestamps have one-second resolution; put milliseconds in a header).
    public var timestamp: UInt64?
    public var type: String?
    /// The publishing broker user; RabbitMQ refuses a message whose `user_id` is not the connection's user.
    public var userID: String?
    public var appID: String?
    public var clusterID: String?

    public init(
        contentType: String? = nil, contentEncoding: String? = nil, headers: AMQPTable? = nil,
        deliveryMode: DeliveryMode? = nil, priority: UInt8? = nil, correlationID: String? = nil,
        replyTo: String? = nil, expiration: String? = nil, messageID: String? = nil, timestamp: UInt64? = nil,
        type: String? = nil, userID: String? = nil, appID: String? = nil, clusterID: String? = nil
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageID = messageID
        self.timestamp = timestamp
        self.type = type
        self.userID = userID
        self.appID = appID
        self.clusterID = clusterID
    }

    /// The `expiration` string for a TTL, clamped at zero.
    public static func expiration(milliseconds: Int64) -> String {
        String(max(0, milliseconds))
    }
}

/// A message the broker delivered to a consumer.
public struct AMQPDelivery: Sendable {
    public var body: Data
    public var properties: AMQPProperties
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String
    public var consumerTag: String
    /// The channel it arrived on; acknowledge through it (or with ``ack()``).
    public let channel: AMQPChannel
    let epoch: UInt64

    /// Acknowledges this delivery.
    public func ack() async throws { try await channel.ack(self) }
    /// Negatively acknowledges it; with `requeue: false` it goes to the queue's dead-letter exchange.
    public func nack(requeue: Bool) async throws { try await channel.nack(self, requeue: requeue) }
    /// Rejects it; with `requeue: false` it goes to the queue's dead-letter exchange.
    public func reject(requeue: Bool) async throws { try await channel.reject(self, requeue: requeue) }
}

/// A message the broker returned because it was published `mandatory` and no queue took it.
public struct AMQPReturnedMessage: Sendable, Hashable {
    public var replyCode: UInt16
    public var replyText: String
    public var exchange: String
    public var routingKey: String
    public var properties: AMQPProperties
    public var body: Data
}

/// What happened to a published message, as far as this client can know.
public enum AMQPPublishOutcome: Sendable, Hashable {
    /// Written to the socket (the channel is not in confirm mode, so nothing more is known).
    case sent
    /// The broker confirmed it: it is routed to every queue that takes it (persisted, if persistent).
    case confirmed
    /// It was published `mandatory`, no queue took it, and the broker returned it (then confirmed).
    case returned(AMQPReturnedMessage)
}

/// What the broker said about a queue when it was declared.
public struct AMQPQueueInfo: Sendable, Hashable {
    public var name: String
    public var messageCount: UInt32
    public var consumerCount: UInt32
}

/// The kinds of exchange.
public enum AMQPExchangeType: String, Sendable {
    case direct, fanout, topic, headers
}

extension AMQPProperties {
    /// An upper bound on the bytes of a content header frame carrying these properties.
    var wireSizeBound: Int {
        func short(_ s: String?) -> Int { 1 + (s?.utf8.count ?? 0) }
        return 64 + short(contentType) + short(contentEncoding) + short(correlationID) + short(replyTo)
            + short(expiration) + short(messageID) + short(type) + short(userID) + short(appID) + short(clusterID)
            + (headers?.wireSizeBound ?? 0)
    }
}
