import VUMStandaard

/// `vum.datakwaliteit.v1`: a bemiddelaar's report that a record it received is poor, sent by the
/// exchange to the bron that holds it (exchange `vum.detailverzoeken`, routing key = bron id). The bron
/// gets its own record id back, the reason from a short code list and the asker's free text; the audit
/// trail gets only the code (free text may name a person).
public struct DatakwaliteitBericht: Sendable, Hashable {
    /// Why the record is poor.
    public enum Reden: String, Sendable, Hashable, CaseIterable {
        /// A value is wrong (an occupation, hours, a place).
        case onjuist
        /// No longer true: the vacature is filled, the werkzoekende found work or is not available.
        case verouderd
        /// Too little to judge the match by.
        case onvolledig
        /// The contact data in the detail did not reach anyone.
        case contactOnbereikbaar = "contact-onbereikbaar"
        /// The same person or vacature twice at this bron.
        case dubbel
        case anders

        public static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
    }

    /// Unique per report; the bron and the trail name it.
    public var meldingID: String
    /// The zoekvraag in which the record was delivered.
    public var vraagID: String
    public var gegevensset: Gegevensset
    /// The bron's own id of the record (the exchange mapped the vumID back to it).
    public var recordID: RecordID
    public var reden: Reden
    /// The asker's explanation, at most 2000 characters; goes to the bron only.
    public var toelichting: String?

    public init(
        meldingID: String, vraagID: String, gegevensset: Gegevensset, recordID: RecordID, reden: Reden,
        toelichting: String? = nil
    ) {
        self.meldingID = meldingID
        self.vraagID = vraagID
        self.gegevensset = gegevensset
        self.recordID = recordID
        self.reden = reden
        self.toelichting = toelichting
    }
}

extension DatakwaliteitBericht: Payload {
    public static let messageType = MessageType.datakwaliteit
    public var json: JSONValue {
        var o = JSONObject([
            ("meldingID", .string(meldingID)), ("vraagID", .string(vraagID)),
            ("gegevensset", .string(gegevensset.rawValue)), ("recordID", .string(recordID.rawValue)),
            ("reden", .string(reden.rawValue)),
        ])
        if let toelichting { o["toelichting"] = .string(toelichting) }
        return .object(o)
    }
    public init(json: JSONValue) throws(Fout) {
        let r = try PayloadReader(json, type: "datakwaliteit")
        let raw = try r.string("recordID", max: 200)
        let id: RecordID
        do { id = try RecordID(validating: raw) } catch { throw r.fail("recordID", error.description) }
        let redenText = try r.string("reden", max: 40)
        guard let reden = Reden(rawValue: redenText) else {
            throw r.fail("reden", "\"\(redenText)\" is not one of \(Reden.list)")
        }
        self.init(
            meldingID: try r.string("meldingID", max: 100), vraagID: try r.string("vraagID", max: 100),
            gegevensset: try r.gegevensset(), recordID: id, reden: reden,
            toelichting: try r.optionalString("toelichting", max: 2000))
    }
}
