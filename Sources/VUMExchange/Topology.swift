import VUMStandaard

/// A bron's id on the bus: lower-case letters, digits and hyphens, 1–63 characters, starting with a
/// letter or digit. It names the bron's queue (`vum.bron.<id>`) and broker user (`bron-<id>`).
public struct BronID: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let rawValue: String

    public init(validating raw: String) throws(ValueError) {
        let u = Array(raw.utf8)
        func ok(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == 0x2D }
        guard (1...63).contains(u.count), u.allSatisfy(ok), u[0] != 0x2D else {
            throw ValueError("\"\(raw)\" is not a bron id (1 to 63 of a-z 0-9 -, not starting with -)")
        }
        rawValue = raw
    }

    public var description: String { rawValue }
    public static func < (a: BronID, b: BronID) -> Bool { a.rawValue < b.rawValue }

    /// The broker user a bron publishes as; `user_id` of its answers must be this.
    public var brokerUser: String { "bron-\(rawValue)" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let raw = try c.decode(String.self)
        do { try self.init(validating: raw) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// The names of ARCHITECTURE.md section 3, in one place.
public enum Topology {
    public static let virtualHost = "vum"
    /// Fanout: every zoekvraag to every bron queue.
    public static let zoekvragen = "vum.zoekvragen"
    /// Direct, routing key = bron id: a detail request to exactly one bron.
    public static let detailverzoeken = "vum.detailverzoeken"
    /// Direct, routing key = the aggregator's reply queue: answers. Partners write here and nowhere else.
    public static let antwoorden = "vum.antwoorden"
    /// Fanout to the aggregator's presence queue: aanmelding, heartbeat, afmelding.
    public static let aanmeldingen = "vum.aanmeldingen"
    /// Direct exchange and durable queue of the same name: zoekvragen from bus-native bemiddelaars.
    public static let verzoeken = "vum.verzoeken"
    /// Topic, routing key = event type: procesgegevens.
    public static let procesgegevens = "vum.procesgegevens"
    /// Durable queue bound to `vum.procesgegevens` with `#`: the audit trail.
    public static let audit = "vum.audit"
    /// Fanout dead-letter exchange and its queue: rejected messages, kept for inspection.
    public static let deadLetterExchange = "vum.dlx"
    public static let deadLetterQueue = "vum.dead"

    /// A bron's inbox.
    public static func bronQueue(_ bron: BronID) -> String { "vum.bron.\(bron.rawValue)" }
}

/// The `type` property of every message on the bus.
public enum MessageType: String, Sendable, Hashable, CaseIterable, Codable {
    case zoekvraag = "vum.zoekvraag.v1"
    case gegevensset = "vum.gegevensset.v1"
    case detailverzoek = "vum.detailverzoek.v1"
    case detail = "vum.detail.v1"
    case aanmelding = "vum.aanmelding.v1"
    case procesgebeurtenis = "vum.procesgebeurtenis.v1"
    /// A bus-native bemiddelaar's request on `vum.verzoeken` (a zoekvraag or a detail).
    case verzoek = "vum.verzoek.v1"
    /// The exchange's answer to it, to the request's `reply_to`.
    case verzoekantwoord = "vum.verzoekantwoord.v1"
    /// A bemiddelaar's report of poor data, to the bron that holds the record.
    case datakwaliteit = "vum.datakwaliteit.v1"
}

/// Header names (ARCHITECTURE.md section 4): millisecond times and party identities.
public enum Header {
    /// Absolute deadline, milliseconds since 1970 (integer).
    public static let deadline = "x-vum-deadline"
    /// OIN of the responsible party (the bemiddelaar).
    public static let fromParty = "x-vum-from-party"
    /// OIN of its processor, or the same.
    public static let viaParty = "x-vum-via-party"
    /// Whether the asker is a SUWI party (boolean).
    public static let suwiParty = "x-vum-suwi-party"
    /// The bron an answer or detail comes from, or a detail request goes to.
    public static let bron = "x-vum-bron"
    /// When the message was sent, milliseconds since 1970 (the `timestamp` property has seconds only).
    public static let sentAt = "x-vum-sent-ms"
}
