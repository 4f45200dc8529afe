/// `vum.procesgebeurtenis.v1`: one step of the process, for auditors (DOMAIN.md section 6). Persistent,
/// published with confirms to `vum.procesgegevens` with the event type as routing key.
///
/// It holds identities, criteria keys, counts, durations and outcomes, never profile content: there is no
/// field where a record or a value from one could go.
public struct Procesgebeurtenis: Sendable, Hashable {
    public enum Soort: String, Sendable, Hashable, CaseIterable {
        case zoekvraagOntvangen = "zoekvraag.ontvangen"
        case zoekvraagGeweigerd = "zoekvraag.geweigerd"
        case zoekvraagVerstuurd = "zoekvraag.verstuurd"
        case gegevenssetOntvangen = "gegevensset.ontvangen"
        case gegevenssetTeLaat = "gegevensset.te_laat"
        case bronFout = "bron.fout"
        case zoekvraagAfgerond = "zoekvraag.afgerond"
        case detailOpgevraagd = "detail.opgevraagd"
        case detailGeleverd = "detail.geleverd"
        case detailGeweigerd = "detail.geweigerd"
        case bronAangemeld = "bron.aangemeld"
        case bronAfgemeld = "bron.afgemeld"
        case bronOffline = "bron.offline"
        case datakwaliteitGemeld = "datakwaliteit.gemeld"
    }

    /// Unique per event; the audit store is idempotent on it.
    public var eventID: String
    public var soort: Soort
    /// Milliseconds since 1970.
    public var tijdMs: Int64
    /// The component that produced it, e.g. `vum-aggregator/0.1.0`.
    public var component: String
    /// An outcome code: `ok`, or a VUM error code such as `400.01`, `429.01`, `503`.
    public var uitkomst: String
    public var vraagID: String?
    public var fromParty: String?
    public var viaParty: String?
    public var suwi: Bool?
    public var gegevensset: String?
    public var bronID: String?
    /// The keys of the selectievraag, never their values.
    public var criteriaSleutels: [String]?
    public var reden: String?
    public var verwachteBronnen: [String]?
    public var aantal: Int?
    public var maximumAantalResultatenBereikt: Bool?
    public var genegeerdeCriteria: [String]?
    public var duurMs: Int?
    public var teLaatMs: Int?
    /// Per bron status (`beantwoord`, `geen_resultaten`, `fout`, `te_laat`, `offline`): how many.
    public var aantallenPerStatus: [String: Int]?
    /// Per bron its status at the close of a zoekvraag (`zoekvraag.afgerond`), so a report can count per bron.
    public var statusPerBron: [String: String]?
    public var gedeeltelijk: Bool?
    /// Milliseconds from the fan-out to the answer's arrival at the aggregator (`gegevensset.ontvangen`,
    /// `bron.fout`): the latency the asker saw from that bron, where `duurMs` is what the bron reports.
    public var antwoordMs: Int?
    /// The pseudonym of a record, for detail and datakwaliteit events (it identifies no person).
    public var vumID: String?

    public init(eventID: String, soort: Soort, tijdMs: Int64, component: String, uitkomst: String = "ok") {
        self.eventID = eventID
        self.soort = soort
        self.tijdMs = tijdMs
        self.component = component
        self.uitkomst = uitkomst
    }
}
