import Foundation
import VUMStandaard

/// An error in the koppelvlak 3.0 shape (`{"code", "message", "details"}`), also carried in answers on
/// the bus when a bron could not answer.
public struct Fout: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var details: String?

    public init(code: String, message: String, details: String? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// `400.01`: the request is invalid (malformed message or question).
    public static func invalidRequest(_ message: String, details: String? = nil) -> Fout {
        Fout(code: "400.01", message: message, details: details)
    }
    /// `500.1`: something failed inside (a store error at the bron).
    /// `400.01` for a selectievraag that does not parse or cannot be evaluated, with the path of the problem.
    public static func invalidSelectievraag(_ error: any Error) -> Fout {
        invalidRequest("invalid selectievraag", details: (error as? SelectievraagError)?.detail ?? "\(error)")
    }

    public static func internalError(_ message: String, details: String? = nil) -> Fout {
        Fout(code: "500.1", message: message, details: details)
    }

    public var description: String { "\(code) \(message)" + (details.map { ": \($0)" } ?? "") }
}

/// `vum.zoekvraag.v1`: the aggregator asks every bron. `correlation_id` is the vraagID.
public struct ZoekvraagBericht: Sendable, Hashable {
    /// The exchange's id of the zoekvraag, at most 100 characters.
    public var vraagID: String
    public var gegevensset: Gegevensset
    /// The selectievraag exactly as the bemiddelaar sent it.
    public var vraagObject: JSONValue
    /// The most matches a bron returns (default 100); more set `maximumAantalResultatenBereikt`.
    public var maximumAantalResultaten: Int

    public init(vraagID: String, gegevensset: Gegevensset, vraagObject: JSONValue, maximumAantalResultaten: Int = 100) {
        self.vraagID = vraagID
        self.gegevensset = gegevensset
        self.vraagObject = vraagObject
        self.maximumAantalResultaten = maximumAantalResultaten
    }

    /// The parsed question, or `400.01` when it is malformed.
    public func selectievraag() throws(Fout) -> Selectievraag {
        do {
            return try Selectievraag(json: vraagObject, gegevensset: gegevensset)
        } catch {
            throw Fout.invalidSelectievraag(error)
        }
    }
}

/// `vum.gegevensset.v1`: one bron's answer to one zoekvraag, published to `vum.antwoorden` with the
/// request's `reply_to` as routing key, `mandatory`, and the bron's own `user_id`.
public struct GegevenssetBericht: Sendable, Hashable {
    public var vraagID: String
    public var bronID: BronID
    public var gegevensset: Gegevensset
    /// Matching profiles in the standard (never detail-only fields), with the bron's own ids.
    public var matches: [JSONValue]
    public var maximumAantalResultatenBereikt: Bool
    /// Criteria the bron did not apply; the asker filters those itself.
    public var genegeerdeCriteria: [String]
    /// How long the bron worked on it, in milliseconds.
    public var duurMs: Int?
    /// Set when the bron could not answer; `matches` is then empty.
    public var fout: Fout?

    public init(
        vraagID: String, bronID: BronID, gegevensset: Gegevensset, matches: [JSONValue],
        maximumAantalResultatenBereikt: Bool, genegeerdeCriteria: [String], duurMs: Int? = nil, fout: Fout? = nil
    ) {
        self.vraagID = vraagID
        self.bronID = bronID
        self.gegevensset = gegevensset
        self.matches = matches
        self.maximumAantalResultatenBereikt = maximumAantalResultatenBereikt
        self.genegeerdeCriteria = genegeerdeCriteria
        self.duurMs = duurMs
        self.fout = fout
    }

    /// A failed answer.
    public init(vraagID: String, bronID: BronID, gegevensset: Gegevensset, fout: Fout, duurMs: Int? = nil) {
        self.init(
            vraagID: vraagID, bronID: bronID, gegevensset: gegevensset, matches: [],
            maximumAantalResultatenBereikt: false, genegeerdeCriteria: [], duurMs: duurMs, fout: fout)
    }

    /// The matches as validated matching profiles of type `R`; an invalid one is reported with its
    /// index and left out, never passed on.
    public func matchingProfielen<R: VUMRecord>(as type: R.Type) -> (
        valid: [R], invalid: [(index: Int, error: ValidationError)]
    ) {
        var valid: [R] = []
        var invalid: [(Int, ValidationError)] = []
        for (i, m) in matches.enumerated() {
            switch R.validate(m) {
            case .success(let v): valid.append(v.value)
            case .failure(let e): invalid.append((i, e))
            }
        }
        return (valid, invalid)
    }
}

/// `vum.detailverzoek.v1`: the aggregator asks one bron (routing key = bron id) for one record.
/// `correlation_id` is the detail request's id.
public struct DetailverzoekBericht: Sendable, Hashable {
    public var vraagID: String
    public var gegevensset: Gegevensset
    /// The bron's own id of the record (the aggregator mapped the vumID back to it).
    public var recordID: RecordID

    public init(vraagID: String, gegevensset: Gegevensset, recordID: RecordID) {
        self.vraagID = vraagID
        self.gegevensset = gegevensset
        self.recordID = recordID
    }
}

/// `vum.detail.v1`: the bron's answer to a detail request: the record under `werkzoekende` or
/// `vacature` (as koppelvlak 3.0 names it), with contact data only when the bron releases it; or a `fout`
/// (`404` when the record is gone).
public struct DetailBericht: Sendable, Hashable {
    public var bronID: BronID
    public var gegevensset: Gegevensset
    public var werkzoekende: JSONValue?
    public var vacature: JSONValue?
    public var fout: Fout?

    public init(bronID: BronID, werkzoekende: Werkzoekende) {
        self.bronID = bronID
        gegevensset = .werkzoekenden
        self.werkzoekende = werkzoekende.json
    }

    public init(bronID: BronID, vacature: Vacature) {
        self.bronID = bronID
        gegevensset = .vacatures
        self.vacature = vacature.json
    }

    public init(bronID: BronID, gegevensset: Gegevensset, fout: Fout) {
        self.bronID = bronID
        self.gegevensset = gegevensset
        self.fout = fout
    }
}

/// `vum.aanmelding.v1`: an adapter announces itself, keeps announcing (heartbeat), and says goodbye.
public struct AanmeldingBericht: Sendable, Hashable {
    public enum Soort: String, Sendable, Hashable, CaseIterable {
        case aanmelding, heartbeat, afmelding
    }

    public var bronID: BronID
    public var soort: Soort
    public var gegevenssets: [Gegevensset]
    /// The adapter's name and version, for example `vum-adapter/0.1.0`.
    public var versie: String
    /// The selectievraag keys the bron applies; others come back as `genegeerdeCriteria`.
    public var ondersteundeCriteria: [String]
    /// How often heartbeats come; the aggregator counts a bron offline after missing several.
    public var heartbeatIntervalMs: Int

    public init(
        bronID: BronID, soort: Soort, gegevenssets: [Gegevensset], versie: String,
        ondersteundeCriteria: [String], heartbeatIntervalMs: Int
    ) {
        self.bronID = bronID
        self.soort = soort
        self.gegevenssets = gegevenssets
        self.versie = versie
        self.ondersteundeCriteria = ondersteundeCriteria
        self.heartbeatIntervalMs = heartbeatIntervalMs
    }
}
