import VUMExchange
import VUMStandaard

/// Where a bron's records live, as the adapter sees it. Implementations: `InMemorySource` (records held in
/// memory; demos and tests), `SQLiteSource` (the default), `PostgresSource` (the partner's own database
/// through a mapping file) and `RESTBronSource` (the partner's existing koppelvlak 3.0 Bron endpoint).
///
/// The adapter hands a source only the criteria it lists in ``ondersteundeCriteria``; the others are
/// reported back to the asker as `genegeerdeCriteria`. An error thrown here is answered `500.1` (or the
/// ``Fout`` thrown), never left unanswered.
public protocol BronSource: Sendable {
    /// The datasets this source holds.
    var gegevenssets: Set<Gegevensset> { get }
    /// The selectievraag keys this source applies (announced in the aanmelding).
    var ondersteundeCriteria: [String] { get }
    /// The keys it applies to questions for one dataset (default: ``ondersteundeCriteria``).
    func ondersteundeCriteria(_ gegevensset: Gegevensset) -> [String]
    /// The matching profiles for a prepared question: at most `limit`, nearest first when there are more.
    func zoek(_ vraag: Evaluator.PreparedQuestion, limit: Int, context: Verzoekcontext) async throws -> Zoekresultaat
    /// The full record with this id, or `nil` when the source does not hold it (any more).
    func detail(_ id: RecordID, gegevensset: Gegevensset, context: Verzoekcontext) async throws -> DetailRecord?
    /// Whether the source does its work on threads of its own (SQLite's reader queues), leaving the calling
    /// task only a little work per message: then the adapter handles deliveries on the AMQP connection's
    /// thread, without waking a thread of the cooperative pool for each. Default `false`: a source that
    /// computes in the calling task (evaluating records in memory, translating rows) runs on the pool.
    var worksOnItsOwnThreads: Bool { get }
}

extension BronSource {
    public func ondersteundeCriteria(_ gegevensset: Gegevensset) -> [String] { ondersteundeCriteria }
    public var worksOnItsOwnThreads: Bool { false }
}

/// Who asks and until when, from the message's envelope: what a source that forwards the request (the REST
/// forwarder) passes on as X-VUM headers and turns into its timeout. Sources reading their own store ignore it.
public struct Verzoekcontext: Sendable, Hashable {
    public var vraagID: String
    /// The aggregator's deadline for the answer, milliseconds since 1970; `nil` for detail requests
    /// without one.
    public var deadlineMs: Int64?
    /// The responsible party (the bemiddelaar) and its processor.
    public var fromParty: OIN?
    public var viaParty: OIN?
    /// Whether the asker is a SUWI party.
    public var suwiParty: Bool?

    public init(
        vraagID: String, deadlineMs: Int64? = nil, fromParty: OIN? = nil, viaParty: OIN? = nil,
        suwiParty: Bool? = nil
    ) {
        self.vraagID = vraagID
        self.deadlineMs = deadlineMs
        self.fromParty = fromParty
        self.viaParty = viaParty
        self.suwiParty = suwiParty
    }

    /// The context a message's envelope carries.
    init(vraagID: String, envelope: Envelope) {
        self.init(
            vraagID: vraagID, deadlineMs: envelope.deadlineMs, fromParty: envelope.fromParty,
            viaParty: envelope.viaParty, suwiParty: envelope.suwiParty)
    }
}

/// A source's answer to a zoekvraag.
public struct Zoekresultaat: Sendable {
    /// Matching profiles in the standard's JSON (never detail-only fields: built from the matching types),
    /// each as its compact bytes: what goes on the wire, and what a store already holds, so the adapter
    /// sends them without building a tree and serialising it again.
    public var encodedMatches: [[UInt8]]
    public var maximumAantalResultatenBereikt: Bool

    public init(matches: [JSONValue], maximumAantalResultatenBereikt: Bool) {
        self.init(
            encodedMatches: matches.map { $0.serializedBytes() },
            maximumAantalResultatenBereikt: maximumAantalResultatenBereikt)
    }

    /// Matches that are already compact JSON of valid matching profiles (a store's own encoding of them).
    public init(encodedMatches: [[UInt8]], maximumAantalResultatenBereikt: Bool) {
        self.encodedMatches = encodedMatches
        self.maximumAantalResultatenBereikt = maximumAantalResultatenBereikt
    }

    /// The matches as trees (for checks; the adapter sends ``encodedMatches``).
    public var matches: [JSONValue] { encodedMatches.compactMap { try? JSONValue.parse($0) } }
}

/// A record a detail request returns.
public enum DetailRecord: Sendable, Hashable {
    case werkzoekende(Werkzoekende)
    case vacature(Vacature)
}

/// The keys every source built on the evaluator applies (DOMAIN.md section 3).
public enum SupportedCriteria {
    public static let werkzoekenden = [
        "bemiddelingsberoep", "contractvorm", "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst",
        "arbeidsmarktkwalificatie.rijbewijs", "arbeidsmarktkwalificatie.taalbeheersing",
        "datumAanvangBeschikbaarVoorWerk",
        "werktijden.indicatieKantoortijden", "werktijden.aantalWerkurenPerWeekMaximaal",
        "werktijden.aantalWerkurenPerWeekMinimaal",
    ]
    public static let vacatures = [
        "beroep.codeBeroepsnaam", "codeWerkEnDenkniveauMinimaal", "datumAanvangWerkzaamheden",
        "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst", "rijbewijs", "taalbeheersing",
        "werktijden.aantalWerkurenPerWeekMaximaal", "werktijden.aantalWerkurenPerWeekMinimaal",
    ]

    /// The keys for a source holding these datasets, each once.
    public static func keys(for gegevenssets: Set<Gegevensset>) -> [String] {
        (gegevenssets.contains(.werkzoekenden) ? werkzoekenden : [])
            + (gegevenssets.contains(.vacatures)
                ? vacatures.filter {
                    !gegevenssets.contains(.werkzoekenden) || !werkzoekenden.contains($0)
                } : [])
    }
}

/// Records held in memory and searched with the evaluator: for demos, tests and small bronnen. It scans;
/// the SQLite store (issue 4) is the indexed default for real data sets.
public struct InMemorySource: BronSource {
    public let werkzoekenden: [Werkzoekende]
    public let vacatures: [Vacature]
    let evaluator: Evaluator
    private let werkzoekendenByID: [RecordID: Werkzoekende]
    private let vacaturesByID: [RecordID: Vacature]
    // Each record's matching profile, and its JSON encoded once: a zoekvraag copies bytes, it does not build
    // and serialise a tree per match (that was most of an in-memory bron's work per answer).
    private let werkzoekendeProfielen: [EncodedProfile<WerkzoekendeMatchingProfiel>]
    private let vacatureProfielen: [EncodedProfile<VacatureMatchingProfiel>]
    // The records' positions per postcode area (PC4): a question only looks at the areas its
    // `selectiegebied` covers, as the SQLite store does, instead of measuring every record.
    private let werkzoekendenByArea: [Int: [Int]]
    private let vacaturesByArea: [Int: [Int]]

    public init(werkzoekenden: [Werkzoekende] = [], vacatures: [Vacature] = [], table: PC4Table) {
        self.werkzoekenden = werkzoekenden
        self.vacatures = vacatures
        let werkzoekendeProfielen = werkzoekenden.map { EncodedProfile($0.matchingProfiel) }
        let vacatureProfielen = vacatures.map { EncodedProfile($0.matchingProfiel) }
        self.werkzoekendeProfielen = werkzoekendeProfielen
        self.vacatureProfielen = vacatureProfielen
        werkzoekendenByArea = Dictionary(grouping: werkzoekendeProfielen.indices) {
            werkzoekendeProfielen[$0].matchPostcode.pc4
        }
        vacaturesByArea = Dictionary(grouping: vacatureProfielen.indices) { vacatureProfielen[$0].matchPostcode.pc4 }
        evaluator = Evaluator(table: table)
        werkzoekendenByID = Dictionary(werkzoekenden.map { ($0.recordID, $0) }, uniquingKeysWith: { _, last in last })
        vacaturesByID = Dictionary(vacatures.map { ($0.recordID, $0) }, uniquingKeysWith: { _, last in last })
    }

    public var gegevenssets: Set<Gegevensset> {
        var sets: Set<Gegevensset> = []
        if !werkzoekenden.isEmpty { sets.insert(.werkzoekenden) }
        if !vacatures.isEmpty { sets.insert(.vacatures) }
        return sets
    }

    public var ondersteundeCriteria: [String] { SupportedCriteria.keys(for: gegevenssets) }

    public func zoek(_ vraag: Evaluator.PreparedQuestion, limit: Int, context: Verzoekcontext) async throws
        -> Zoekresultaat
    {
        switch vraag.vraag.gegevensset {
        case .werkzoekenden: select(werkzoekendeProfielen, werkzoekendenByArea, vraag, limit: limit)
        case .vacatures: select(vacatureProfielen, vacaturesByArea, vraag, limit: limit)
        }
    }

    /// The evaluator's answer over the records of the covered areas only, in their stored order: a record
    /// elsewhere lies farther than `afstand` (or in no known area) and cannot match, and the evaluator
    /// keeps ties in input order, so the answer is the one a scan of every record gives.
    private func select<P>(
        _ profielen: [EncodedProfile<P>], _ byArea: [Int: [Int]], _ vraag: Evaluator.PreparedQuestion,
        limit: Int
    ) -> Zoekresultaat {
        var candidates: [Int] = []
        for area in evaluator.areas(vraag) {
            if let positions = byArea[area.pc4] { candidates += positions }
        }
        candidates.sort()
        let found = evaluator.select(candidates.lazy.map { profielen[$0] }, vraag, limit: limit)
        return Zoekresultaat(
            encodedMatches: found.matches.map(\.bytes),
            maximumAantalResultatenBereikt: found.maximumAantalResultatenBereikt)
    }

    public func detail(_ id: RecordID, gegevensset: Gegevensset, context: Verzoekcontext) async throws -> DetailRecord?
    {
        switch gegevensset {
        case .werkzoekenden: werkzoekendenByID[id].map(DetailRecord.werkzoekende)
        case .vacatures: vacaturesByID[id].map(DetailRecord.vacature)
        }
    }
}

/// A matching profile with its JSON encoded once, matched as the profile itself. A class, so handing one
/// around is one reference count, not one per array in the profile.
private final class EncodedProfile<P: Matchable & VUMRecord>: Matchable {
    let profile: P
    let bytes: [UInt8]

    init(_ profile: P) {
        self.profile = profile
        bytes = profile.json.serializedBytes()
    }

    var matchPostcode: Postcode { profile.matchPostcode }
    func satisfies(_ criterium: Criterium) -> Bool { profile.satisfies(criterium) }
}
