import AMQPClient
import Foundation
import VUMStandaard

/// The AMQP properties and headers every message carries (ARCHITECTURE.md section 4), typed.
public struct Envelope: Sendable, Hashable {
    public var type: MessageType
    /// Unique per message.
    public var messageID: String
    /// The vraagID, or the detail request's id.
    public var correlationID: String?
    /// The sending component and version.
    public var appID: String
    /// The sender's broker user; RabbitMQ refuses a message whose `user_id` is not the connection's user.
    public var userID: String?
    public var replyTo: String?
    /// Milliseconds since 1970, in a header (the `timestamp` property has seconds only).
    public var sentAtMs: Int64
    /// Absolute deadline in milliseconds since 1970 (zoekvragen and detail requests).
    public var deadlineMs: Int64?
    public var fromParty: OIN?
    public var viaParty: OIN?
    public var suwiParty: Bool?
    public var bron: BronID?
    /// Persistent (procesgegevens) or transient (everything else).
    public var persistent: Bool

    public init(
        type: MessageType, messageID: String = UUID().uuidString.lowercased(), correlationID: String? = nil,
        appID: String, userID: String? = nil, replyTo: String? = nil,
        sentAtMs: Int64 = Envelope.nowMs(), deadlineMs: Int64? = nil, persistent: Bool? = nil
    ) {
        self.type = type
        self.messageID = messageID
        self.correlationID = correlationID
        self.appID = appID
        self.userID = userID
        self.replyTo = replyTo
        self.sentAtMs = sentAtMs
        self.deadlineMs = deadlineMs
        self.persistent = persistent ?? (type == .procesgebeurtenis)
    }

    public static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Whole milliseconds since `start`: the `duurMs` that answers and procesgegevens report.
    public static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let c = start.duration(to: .now).components
        return Int(c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000)
    }

    /// The properties to publish with. A message with a deadline expires when it passes, so a bron that
    /// comes back late never works on a stale question.
    public func properties(now: Int64 = Envelope.nowMs()) -> AMQPProperties {
        var headers: AMQPTable = [Header.sentAt: .int64(sentAtMs)]
        if let deadlineMs { headers[Header.deadline] = .int64(deadlineMs) }
        if let fromParty { headers[Header.fromParty] = .string(fromParty.rawValue) }
        if let viaParty { headers[Header.viaParty] = .string(viaParty.rawValue) }
        if let suwiParty { headers[Header.suwiParty] = .bool(suwiParty) }
        if let bron { headers[Header.bron] = .string(bron.rawValue) }
        return AMQPProperties(
            contentType: "application/json", contentEncoding: "utf-8", headers: headers,
            deliveryMode: persistent ? .persistent : .transient, correlationID: correlationID, replyTo: replyTo,
            expiration: deadlineMs.map { AMQPProperties.expiration(milliseconds: $0 - now) }, messageID: messageID,
            timestamp: UInt64(max(0, sentAtMs / 1000)), type: type.rawValue, userID: userID, appID: appID)
    }

    /// Reads the envelope of a received message; what is missing or malformed is a `400.01` that names
    /// the property or header.
    public init(properties p: AMQPProperties) throws(Fout) {
        func fail(_ what: String) -> Fout { Fout.invalidRequest("invalid message envelope", details: what) }
        guard let typeName = p.type else { throw fail("property type is missing") }
        guard let type = MessageType(rawValue: typeName) else {
            throw fail(
                "property type \"\(typeName)\" is not a VUM message type (\(MessageType.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        guard let messageID = p.messageID, !messageID.isEmpty else { throw fail("property message_id is missing") }
        guard let appID = p.appID, !appID.isEmpty else { throw fail("property app_id is missing") }
        if let ct = p.contentType, ct != "application/json" {
            throw fail("property content_type is \"\(ct)\", not application/json")
        }
        let headers = p.headers ?? [:]
        func integer(_ name: String) throws(Fout) -> Int64? {
            guard let v = headers[name] else { return nil }
            guard let i = v.intValue else { throw fail("header \(name) must be an integer (milliseconds since 1970)") }
            return i
        }
        func oin(_ name: String) throws(Fout) -> OIN? {
            guard let v = headers[name] else { return nil }
            guard let s = v.stringValue else { throw fail("header \(name) must be a string") }
            do { return try OIN(validating: s) } catch { throw fail("header \(name): \(error.description)") }
        }
        self.init(
            type: type, messageID: messageID, correlationID: p.correlationID, appID: appID, userID: p.userID,
            replyTo: p.replyTo, sentAtMs: try integer(Header.sentAt) ?? Int64(p.timestamp ?? 0) * 1000,
            deadlineMs: try integer(Header.deadline), persistent: p.deliveryMode == .persistent)
        fromParty = try oin(Header.fromParty)
        viaParty = try oin(Header.viaParty)
        if let v = headers[Header.suwiParty] {
            guard let b = v.boolValue else { throw fail("header \(Header.suwiParty) must be a boolean") }
            suwiParty = b
        }
        if let v = headers[Header.bron] {
            guard let s = v.stringValue else { throw fail("header \(Header.bron) must be a string") }
            do { bron = try BronID(validating: s) } catch { throw fail("header \(Header.bron): \(error.description)") }
        }
    }
}

/// Encoding and decoding of payloads, with errors that name the field.
public enum MessageCodec {
    /// Messages larger than this are refused before they are parsed (default 1 MiB; a gegevensset of 100
    /// full matching profiles is about 100 KiB).
    public static let defaultMaximumSize = 1 << 20

    /// Compact UTF-8 JSON; the selectievraag and records keep their key order and number types.
    public static func encode(_ payload: some Payload) -> Data { Data(payload.json.serializedBytes()) }

    /// Decodes a payload of type `P`; any problem is a `400.01` saying what and where.
    public static func decode<P: Payload>(_ type: P.Type, from body: Data, maximumSize: Int = defaultMaximumSize)
        throws(Fout) -> P
    {
        guard body.count <= maximumSize else {
            throw Fout.invalidRequest(
                "message too large", details: "\(body.count) bytes; at most \(maximumSize) are accepted")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw Fout.invalidRequest("invalid \(P.messageType.rawValue)", details: "(message): \(error.description)")
        }
        return try P(json: json)
    }
}
