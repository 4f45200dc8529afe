/// The one error type of AMQPClient: what went wrong (``code``), what the broker said, and where.
///
/// The description is meant for a person: it names the operation, the exchange or queue, the channel
/// and the broker, and says what to do. It never contains a password.
public struct AMQPError: Error, CustomStringConvertible, Sendable {
    /// An opaque, extensible classification. Compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Nothing listens on the broker's address, or the host name does not resolve.
        public static let connectionRefused = Code("connectionRefused")
        /// The TCP or TLS connection, or the AMQP handshake, did not complete in time.
        public static let connectTimeout = Code("connectTimeout")
        /// The TLS handshake failed: unknown CA, host name mismatch, refused client certificate.
        public static let tls = Code("tls")
        /// The broker refused the login (user, password, or certificate).
        public static let loginRefused = Code("loginRefused")
        /// The broker refused access to the virtual host (530 NOT_ALLOWED).
        public static let notAllowed = Code("notAllowed")
        /// The user lacks a permission for the operation (403 ACCESS_REFUSED).
        public static let accessRefused = Code("accessRefused")
        /// The exchange or queue does not exist (404 NOT_FOUND).
        public static let notFound = Code("notFound")
        /// An exclusive queue belongs to another connection (405 RESOURCE_LOCKED).
        public static let resourceLocked = Code("resourceLocked")
        /// Arguments differ from the existing entity, a bad `user_id`, an unknown delivery tag
        /// (406 PRECONDITION_FAILED).
        public static let preconditionFailed = Code("preconditionFailed")
        /// The broker closed the channel for another reason; the reply code says which.
        public static let channelClosed = Code("channelClosed")
        /// The broker closed the connection (for example an operator closed it: 320 CONNECTION_FORCED).
        public static let connectionClosed = Code("connectionClosed")
        /// The connection broke (socket error, broker stopped); with reconnect on, it is being restored.
        public static let connectionLost = Code("connectionLost")
        /// The broker sent nothing for two heartbeat intervals.
        public static let heartbeatTimeout = Code("heartbeatTimeout")
        /// The broker cancelled a consumer (its queue was deleted, or a node of a cluster failed).
        public static let consumerCancelled = Code("consumerCancelled")
        /// The broker refused responsibility for a published message (basic.nack).
        public static let publishNacked = Code("publishNacked")
        /// The broker blocked publishing (a resource alarm) for longer than the configured wait.
        public static let blockedTimeout = Code("blockedTimeout")
        /// A delivery from before a reconnect: its tag is no longer valid; the broker redelivers it.
        public static let staleDelivery = Code("staleDelivery")
        /// The connection or channel was closed by this program.
        public static let closed = Code("closed")
        /// A request did not get its answer in time.
        public static let timeout = Code("timeout")
        /// An argument was invalid before anything was sent.
        public static let invalidArgument = Code("invalidArgument")
        /// The broker or the library broke the protocol in a way this client did not expect.
        public static let protocolError = Code("protocolError")
    }

    /// Where the error happened: enough for a person to find the thing that failed.
    public struct Context: Sendable, Hashable {
        public var broker: String?
        public var vhost: String?
        public var operation: String?
        public var channel: UInt16?
        public var exchange: String?
        public var queue: String?
        public var routingKey: String?

        public init(
            broker: String? = nil, vhost: String? = nil, operation: String? = nil, channel: UInt16? = nil,
            exchange: String? = nil, queue: String? = nil, routingKey: String? = nil
        ) {
            self.broker = broker
            self.vhost = vhost
            self.operation = operation
            self.channel = channel
            self.exchange = exchange
            self.queue = queue
            self.routingKey = routingKey
        }
    }

    public var code: Code
    /// The AMQP reply code the broker sent with a channel.close or connection.close, if any.
    public var replyCode: UInt16?
    /// The broker's reply text, for example `NOT_FOUND - no queue 'x' in vhost '/'`.
    public var replyText: String?
    public var context: Context
    /// What the library said (rabbitmq-c's status text), when the error came from it.
    public var detail: String?

    public init(
        _ code: Code, replyCode: UInt16? = nil, replyText: String? = nil, context: Context = Context(),
        detail: String? = nil
    ) {
        self.code = code
        self.replyCode = replyCode
        self.replyText = replyText
        self.context = context
        self.detail = detail
    }

    public var description: String {
        var location: [String] = []
        if let op = context.operation { location.append(op) }
        if let e = context.exchange { location.append("exchange '\(e)'") }
        if let q = context.queue { location.append("queue '\(q)'") }
        if let r = context.routingKey { location.append("routing key '\(r)'") }
        if let c = context.channel { location.append("channel \(c)") }
        if let b = context.broker { location.append("broker \(b)" + (context.vhost.map { " vhost '\($0)'" } ?? "")) }
        var text = "AMQP \(code): \(summary)"
        if !location.isEmpty { text += " (\(location.joined(separator: ", ")))" }
        if let replyCode, let replyText {
            text += ": broker replied \(replyCode) \(replyText)"
        } else if let replyText {
            text += ": \(replyText)"
        }
        if let detail { text += " [\(detail)]" }
        if let hint { text += ". \(hint)" }
        return text
    }

    private var summary: String {
        switch code {
        case .connectionRefused: "could not connect to the broker"
        case .connectTimeout: "connecting to the broker timed out"
        case .tls: "the TLS handshake failed"
        case .loginRefused: "the broker refused the login"
        case .notAllowed: "the broker refused access"
        case .accessRefused: "permission denied"
        case .notFound: "not found"
        case .resourceLocked: "resource locked by another connection"
        case .preconditionFailed: "precondition failed"
        case .channelClosed: "the broker closed the channel"
        case .connectionClosed: "the broker closed the connection"
        case .connectionLost: "the connection to the broker was lost"
        case .heartbeatTimeout: "the broker missed its heartbeats"
        case .consumerCancelled: "the broker cancelled the consumer"
        case .publishNacked: "the broker did not accept the message (nack)"
        case .blockedTimeout: "the broker blocked publishing for too long"
        case .staleDelivery: "the delivery belongs to a connection that was since re-established"
        case .closed: "the connection or channel is closed"
        case .timeout: "no answer in time"
        case .invalidArgument: "invalid argument"
        case .protocolError: "protocol error"
        default: "error"
        }
    }

    private var hint: String? {
        switch code {
        case .connectionRefused, .connectTimeout:
            "Check that the broker runs at that address (scripts/broker.sh start runs a private one)"
        case .tls:
            "Check the CA file, the client certificate and key, and that the host name is in the broker's "
                + "certificate (rabbitmq-c 0.11 verifies DNS names only: connect to a name, not an IP address)"
        case .loginRefused:
            "Check the user name and password, or for EXTERNAL that the certificate's common name is a broker user"
        case .notAllowed:
            "Check that the virtual host exists and the user has permissions on it"
        case .accessRefused:
            "The broker's permissions for this user do not allow it (see Docs/operations.md)"
        case .notFound:
            "Create it from the broker definitions, or check the name"
        case .blockedTimeout:
            "The broker raised a memory or disk alarm; free resources on the broker"
        default: nil
        }
    }
}
