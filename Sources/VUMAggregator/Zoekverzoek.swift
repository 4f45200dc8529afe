import VUMExchange
import VUMStandaard

/// A zoekvraag as a bemiddelaar asks it (over REST or AMQP).
public struct Zoekverzoek: Sendable {
    public var gegevensset: Gegevensset
    /// The selectievraag, unchanged.
    public var vraagObject: JSONValue
    /// The responsible party (`X-VUM-fromParty`).
    public var fromParty: OIN
    /// Its processor (`X-VUM-viaParty`); the same party when absent.
    public var viaParty: OIN?
    /// The deadline the asker wants, within the operator's maximum.
    public var deadline: Duration?
    /// An id the asker chose (`X-VUM-verzoekID`) to follow the zoekvraag while it runs
    /// (``AggregatorService/voortgang(verzoekID:party:)``).
    public var verzoekID: String?

    public init(
        gegevensset: Gegevensset, vraagObject: JSONValue, fromParty: OIN, viaParty: OIN? = nil,
        deadline: Duration? = nil
    ) {
        self.gegevensset = gegevensset
        self.vraagObject = vraagObject
        self.fromParty = fromParty
        self.viaParty = viaParty
        self.deadline = deadline
    }
}

/// The merged answer to a zoekvraag.
public struct Zoekantwoord: Sendable {
    public var vraagID: String
    /// The matches from every bron as one JSON array, written out as the bronnen sent them, each with its
    /// `vumID` instead of the bron's own record id.
    public var matchesJSON: [UInt8]
    public var matchCount: Int
    /// Some bron had more matches than it returned.
    public var maximumAantalResultatenBereikt: Bool
    /// How each bron did.
    public var bronnen: [BronUitkomst]
    /// Some expected bron did not answer (`te_laat`) or was `offline`: "found nothing" it is not.
    public var gedeeltelijk: Bool
    public var duurMs: Int

    /// The matches as trees (for checks; the answer itself goes out as ``framing()`` around ``matchesJSON``).
    public var matches: [JSONValue] {
        guard case .array(let a)? = try? JSONValue.parse(matchesJSON) else { return [] }
        return a
    }

    /// The koppelvlak 3.0 body (`vraagID`, `maximumAantalResultatenBereikt`, `matches`) with two extension
    /// fields a koppelvlak 3.0 client ignores: `vumBronnen` (status per bron) and `vumGedeeltelijk`.
    public var json: JSONValue { body(matches: .array(matches)) }

    /// The bytes around the matches: `head`, ``matchesJSON``, `tail` are ``json`` as compact bytes, so a
    /// caller writes them into a buffer of its own (an HTTP response, a message body) copying the matches once.
    public func framing() -> (head: [UInt8], tail: [UInt8]) {
        body(matches: .array([])).serializedFraming(around: "matches")
    }

    private func body(matches: JSONValue) -> JSONValue {
        .object(
            JSONObject([
                ("vraagID", .string(vraagID)),
                ("maximumAantalResultatenBereikt", .bool(maximumAantalResultatenBereikt)),
                ("matches", matches),
                ("vumGedeeltelijk", .bool(gedeeltelijk)),
                ("vumBronnen", .array(bronnen.map(\.json))),
            ]))
    }
}

extension BronUitkomst {
    var json: JSONValue {
        var o = JSONObject([
            ("bronID", .string(bron.rawValue)), ("status", .string(status.rawValue)),
            ("aantal", .number(.integer(Int64(aantal)))),
        ])
        if let duurMs { o["duurMs"] = .number(.integer(Int64(duurMs))) }
        if maximumAantalResultatenBereikt { o["maximumAantalResultatenBereikt"] = .bool(true) }
        if !genegeerdeCriteria.isEmpty { o["genegeerdeCriteria"] = .array(genegeerdeCriteria.map(JSONValue.string)) }
        if let fout { o["fout"] = fout.json }
        return .object(o)
    }
}

extension Fout {
    static func unavailable(_ message: String, details: String? = nil) -> Fout {
        Fout(code: "503", message: message, details: details)
    }
    static let notFound = Fout(
        code: "404", message: "unknown vumID",
        details: "not issued to this party, expired, or not a vumID")
}
