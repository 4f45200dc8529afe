/// How complete a record is: the share of the standard's fields that are filled, with the searchable
/// fields (those a selectievraag can ask for) weighted up, and which searchable fields are missing. A
/// bron sees from it why some of its records are hard to find.
public struct Completeness: Sendable, Hashable {
    /// 0...1.
    public var score: Double
    /// Searchable fields this record leaves empty, as they are named in a selectievraag.
    public var missingSearchableFields: [String]

    /// Searchable fields count this many times as much as the others.
    public static let searchableWeight = 3.0

    struct Field<R>: Sendable {
        let name: String
        let searchable: Bool
        let isFilled: @Sendable (R) -> Bool
    }

    static func measure<R>(_ record: R, _ fields: [Field<R>]) -> Completeness {
        var total = 0.0
        var filled = 0.0
        var missing: [String] = []
        for f in fields {
            let weight = f.searchable ? searchableWeight : 1
            total += weight
            if f.isFilled(record) {
                filled += weight
            } else if f.searchable {
                missing.append(f.name)
            }
        }
        return Completeness(score: total == 0 ? 1 : filled / total, missingSearchableFields: missing)
    }
}

extension WerkzoekendeMatchingProfiel {
    static let completenessFields: [Completeness.Field<WerkzoekendeMatchingProfiel>] = [
        .init(name: "bemiddelingsberoep", searchable: true) { !$0.bemiddelingsberoep.isEmpty },
        .init(name: "contractvorm", searchable: true) { !$0.contractvorm.isEmpty },
        .init(name: "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst", searchable: true) {
            ($0.flexibiliteit?.indicatieOnregelmatigWerkOfPloegendienst).map { $0 != .onbekend } ?? false
        },
        .init(name: "arbeidsmarktkwalificatie.rijbewijs", searchable: true) {
            !($0.arbeidsmarktkwalificatie?.rijbewijs.isEmpty ?? true)
        },
        .init(name: "arbeidsmarktkwalificatie.taalbeheersing", searchable: true) {
            !($0.arbeidsmarktkwalificatie?.taalbeheersing.isEmpty ?? true)
        },
        .init(name: "datumAanvangBeschikbaarVoorWerk", searchable: true) {
            $0.flexibiliteit?.datumAanvangBeschikbaarVoorWerk != nil
        },
        .init(name: "werktijden.indicatieKantoortijden", searchable: true) {
            ($0.werktijden?.indicatieKantoortijden).map { $0 != .onbekend } ?? false
        },
        .init(name: "werktijden.aantalWerkurenPerWeekMaximaal", searchable: true) {
            $0.werktijden?.aantalWerkurenPerWeekMaximaal != nil
        },
        .init(name: "werktijden.aantalWerkurenPerWeekMinimaal", searchable: true) {
            $0.werktijden?.aantalWerkurenPerWeekMinimaal != nil
        },
        .init(name: "indicatieBeschikbaarheidContactgegevens", searchable: false) {
            $0.indicatieBeschikbaarheidContactgegevens != nil
        },
        .init(name: "mobiliteit.maximaleReisafstand", searchable: false) { $0.mobiliteit.maximaleReisafstand != nil },
        .init(name: "mobiliteit.maximaleReistijd", searchable: false) { $0.mobiliteit.maximaleReistijd != nil },
        .init(name: "sector", searchable: false) { !$0.sector.isEmpty },
        .init(name: "vervoermiddel", searchable: false) { !$0.vervoermiddel.isEmpty },
        .init(name: "arbeidsmarktkwalificatie.codeWerkEnDenkniveauWerkzoekende", searchable: false) {
            $0.arbeidsmarktkwalificatie?.codeWerkEnDenkniveauWerkzoekende != nil
        },
        .init(name: "arbeidsmarktkwalificatie.competentiebeheersing", searchable: false) {
            !($0.arbeidsmarktkwalificatie?.competentiebeheersing.isEmpty ?? true)
        },
        .init(name: "arbeidsmarktkwalificatie.opleiding", searchable: false) {
            !($0.arbeidsmarktkwalificatie?.opleiding.isEmpty ?? true)
        },
        .init(name: "arbeidsmarktkwalificatie.cursus", searchable: false) {
            !($0.arbeidsmarktkwalificatie?.cursus.isEmpty ?? true)
        },
        .init(name: "arbeidsmarktkwalificatie.werkervaring", searchable: false) {
            !($0.arbeidsmarktkwalificatie?.werkervaring.isEmpty ?? true)
        },
        .init(name: "arbeidsmarktkwalificatie.interesse", searchable: false) {
            !($0.arbeidsmarktkwalificatie?.interesse.isEmpty ?? true)
        },
    ]

    public var completeness: Completeness { Completeness.measure(self, Self.completenessFields) }
}

extension VacatureMatchingProfiel {
    static let completenessFields: [Completeness.Field<VacatureMatchingProfiel>] = [
        .init(name: "beroep.codeBeroepsnaam", searchable: true) { $0.beroep != nil },
        .init(name: "codeWerkEnDenkniveauMinimaal", searchable: true) { $0.codeWerkEnDenkniveauMinimaal != nil },
        .init(name: "datumAanvangWerkzaamheden", searchable: true) {
            $0.arbeidsVoorwaarden?.datumAanvangWerkzaamheden != nil
        },
        .init(name: "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst", searchable: true) {
            ($0.flexibiliteit?.indicatieOnregelmatigWerkOfPloegendienst).map { $0 != .onbekend } ?? false
        },
        .init(name: "rijbewijs", searchable: true) { !$0.rijbewijs.isEmpty },
        .init(name: "taalbeheersing", searchable: true) { !$0.taalbeheersing.isEmpty },
        .init(name: "werktijden.aantalWerkurenPerWeekMaximaal", searchable: true) {
            $0.werktijden?.aantalWerkurenPerWeekMaximaal != nil
        },
        .init(name: "werktijden.aantalWerkurenPerWeekMinimaal", searchable: true) {
            $0.werktijden?.aantalWerkurenPerWeekMinimaal != nil
        },
        .init(name: "naamVacature", searchable: false) { $0.naamVacature != nil },
        .init(name: "omschrijvingVacature", searchable: false) { $0.omschrijvingVacature != nil },
        .init(name: "sluitingsdatumVacature", searchable: false) { $0.sluitingsdatumVacature != nil },
        .init(name: "werkgever.handelsnaamOrganisatie", searchable: false) {
            $0.werkgever?.handelsnaamOrganisatie != nil
        },
        .init(name: "sector", searchable: false) { $0.sector != nil },
        .init(name: "arbeidsVoorwaarden.salarisIndicatie", searchable: false) {
            $0.arbeidsVoorwaarden?.salarisIndicatie != nil
        },
        .init(name: "sollicitatiewijze", searchable: false) { !$0.sollicitatiewijze.isEmpty },
        .init(name: "werkervaring", searchable: false) { !$0.werkervaring.isEmpty },
        .init(name: "contractvorm", searchable: false) { !$0.contractvorm.isEmpty },
        .init(name: "vervoermiddel", searchable: false) { !$0.vervoermiddel.isEmpty },
        .init(name: "opleiding", searchable: false) { !$0.opleiding.isEmpty },
        .init(name: "competentiebeheersing", searchable: false) { !$0.competentiebeheersing.isEmpty },
    ]

    public var completeness: Completeness { Completeness.measure(self, Self.completenessFields) }
}

extension Werkzoekende {
    /// Completeness of the matching profile: what makes a record findable.
    public var completeness: Completeness { matchingProfiel.completeness }
}

extension Vacature {
    public var completeness: Completeness { matchingProfiel.completeness }
}
