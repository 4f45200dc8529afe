extension Criterium {
    /// The selectievraag key this criterion was asked under (DOMAIN.md section 3).
    public func key(in gegevensset: Gegevensset) -> String {
        switch self {
        case .bemiddelingsberoep: "bemiddelingsberoep"
        case .contractvorm: "contractvorm"
        case .beschikbaarUiterlijk: "datumAanvangBeschikbaarVoorWerk"
        case .beroep: "beroep.codeBeroepsnaam"
        case .werkEnDenkniveauVanaf, .werkEnDenkniveauGelijk: "codeWerkEnDenkniveauMinimaal"
        case .aanvangWerkzaamhedenVanaf: "datumAanvangWerkzaamheden"
        case .onregelmatigWerk: "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst"
        case .kantoortijden: "werktijden.indicatieKantoortijden"
        case .rijbewijzen: gegevensset == .werkzoekenden ? "arbeidsmarktkwalificatie.rijbewijs" : "rijbewijs"
        case .talen: gegevensset == .werkzoekenden ? "arbeidsmarktkwalificatie.taalbeheersing" : "taalbeheersing"
        case .urenPerWeekMaximaalMinstens: "werktijden.aantalWerkurenPerWeekMaximaal"
        case .urenPerWeekMinimaalHoogstens: "werktijden.aantalWerkurenPerWeekMinimaal"
        }
    }
}

extension Selectievraag {
    /// The question as a bron that applies only the keys in `supported` reads it: every other criterion is
    /// set aside in ``genegeerdeCriteria`` (reported back to the asker), never applied to records that
    /// cannot have the field.
    public func restricted(to supported: Set<String>) -> Selectievraag {
        var kept: [Criterium] = []
        var ignored = genegeerdeCriteria
        for criterium in criteria {
            let key = criterium.key(in: gegevensset)
            if supported.contains(key) {
                kept.append(criterium)
            } else if !ignored.contains(key) {
                ignored.append(key)
            }
        }
        guard kept.count != criteria.count else { return self }
        return Selectievraag(
            gegevensset: gegevensset, selectiegebied: selectiegebied, criteria: kept,
            genegeerdeCriteria: ignored, json: json)
    }

    init(
        gegevensset: Gegevensset, selectiegebied: Selectiegebied, criteria: [Criterium], genegeerdeCriteria: [String],
        json: JSONValue
    ) {
        self.gegevensset = gegevensset
        self.selectiegebied = selectiegebied
        self.criteria = criteria
        self.genegeerdeCriteria = genegeerdeCriteria
        self.json = json
    }
}
