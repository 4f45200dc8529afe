/// Seeded, realistic werkzoekenden and vacatures for tests, the demo and benchmarks.
///
/// Valid by construction: every value comes from the code lists and ranges of the standard. Like real
/// bronnen, many optional fields are left empty. Record `i` depends only on the seed and `i`, so large
/// sets can be generated in parallel or resumed.
public struct SyntheticData: Sendable {
    public let seed: UInt64
    private let areas: [Int]

    /// `table` supplies real PC4 areas for postcodes.
    public init(seed: UInt64, table: PC4Table) {
        self.seed = seed
        areas = table.postcodeAreas
    }

    /// Occupations in the style of CompetentNL URIs, with their share in the data (common ones recur).
    public static let occupations: [CompetentNLURI] = [
        "orderpicker", "heftruckchauffeur", "magazijnmedewerker", "verzorgende-ig", "verpleegkundige",
        "kok", "zelfstandig-werkend-kok", "schoonmaker", "beveiliger", "buschauffeur", "vrachtwagenchauffeur",
        "klantenservicemedewerker", "administratief-medewerker", "boekhouder", "software-ontwikkelaar",
        "systeembeheerder", "elektricien", "loodgieter", "timmerman", "metselaar", "schilder", "monteur",
        "productiemedewerker", "operator", "kassamedewerker", "verkoopmedewerker", "kapper", "leraar-basisonderwijs",
        "onderwijsassistent", "pedagogisch-medewerker", "tuinder", "hovenier", "bezorger", "postbode",
        "receptionist", "secretaresse", "accountmanager", "projectleider", "laborant", "apothekersassistent",
    ].enumerated().map { i, name in
        try! CompetentNLURI(validating: "https://linkeddata.competentnl.nl/uwv/id/occupation/\(1000 + i)-\(name)")
    }

    public static let skills: [CompetentNLURI] = (1...60).map {
        try! CompetentNLURI(validating: "https://linkeddata.competentnl.nl/id/skill/S\(4000 + $0)")
    }

    static let languages: [TaalCode] = ["nld", "eng", "deu", "fra", "ara", "tur", "pol", "spa"].map {
        try! TaalCode(validating: $0)
    }
    static let sbi: [SBICode] = [
        1130, 4120, 4321, 4711, 4941, 5210, 5610, 6201, 7022, 7830, 8121, 8411, 8520, 8610, 8710, 8891,
    ].map { try! SBICode($0) }
    static let organisaties = [
        "Magazijn BV", "Zorggroep Midden", "Bouwbedrijf De Vries", "Horeca Plaza", "Gemeente",
        "Transport Noord", "Techniek & Co", "Schoonmaak Service", "Supermarkt Centrum",
    ]
    static let opleidingen = ["25180", "25389", "23185", "25497", "25655", "10431", "34567", "50012"]

    private func random(_ index: Int, _ stream: UInt64) -> SeededRandom {
        SeededRandom(seed: seed &* 0x2545_F491_4F6C_DD1D ^ UInt64(index) &* 0x9E37_79B9 ^ stream)
    }

    private func postcode(_ r: inout SeededRandom) -> Postcode {
        let letters = Array("ABCDEGHJKLMNPRSTVWXZ")
        let pc4 = r.pick(areas)
        return try! Postcode(validating: "\(pc4)\(r.pick(letters))\(r.pick(letters))")
    }

    private func date(_ r: inout SeededRandom, years: ClosedRange<Int>) -> VUMDate {
        try! VUMDate(year: r.int(years), month: r.int(1...12), day: r.int(1...28))
    }

    private func indicatie(_ r: inout SeededRandom) -> Indicatie { r.pick([.onbekend, .ja, .ja, .nee, .nee]) }

    private func hours(_ r: inout SeededRandom) -> Werktijden? {
        guard r.chance(0.8) else { return nil }
        let min = r.pick([0, 8, 12, 16, 20, 24, 24, 32, 32, 36])
        let max = min + r.pick([0, 4, 8, 8, 12, 16])
        return Werktijden(
            aantalWerkurenPerWeekMinimaal: r.chance(0.9) ? min : nil,
            aantalWerkurenPerWeekMaximaal: Swift.min(max, 48),
            indicatieKantoortijden: r.chance(0.7) ? indicatie(&r) : nil
        ).nonEmpty
    }

    private func talen(_ r: inout SeededRandom) -> [Taalbeheersing] {
        var result: [Taalbeheersing] = []
        if r.chance(0.85) {
            let level = { (r: inout SeededRandom) -> NiveauTaalbeheersing? in
                r.chance(0.8) ? r.pick([.redelijk, .goed, .goed, .uitstekend, .geen]) : nil
            }
            result.append(
                Taalbeheersing(
                    codeTaal: Self.languages[0], mondeling: level(&r), schriftelijk: level(&r),
                    lezen: level(&r), luisteren: level(&r)))
        }
        if r.chance(0.35) {
            result.append(
                Taalbeheersing(
                    codeTaal: r.pick(Array(Self.languages.dropFirst())),
                    mondeling: r.pick([.redelijk, .goed, .uitstekend])))
        }
        return result
    }

    private func rijbewijzen(_ r: inout SeededRandom) -> [Rijbewijs] {
        guard r.chance(0.6) else { return [] }
        var set: [SoortRijbewijs] = [.b]
        if r.chance(0.15) { set.append(.ce) }
        if r.chance(0.1) { set.append(.am) }
        if r.chance(0.05) { set.append(.d) }
        return set.map(Rijbewijs.init)
    }

    /// The `index`-th werkzoekende of this seed.
    public func werkzoekende(_ index: Int) -> Werkzoekende {
        var r = random(index, 1)
        var p = WerkzoekendeMatchingProfiel(
            idWerkzoekende: try! RecordID(validating: "wz-\(seed)-\(index)"),
            mobiliteit: Mobiliteit(
                bemiddelingspostcode: postcode(&r),
                maximaleReisafstand: r.chance(0.7) ? r.pick([5, 10, 15, 20, 25, 30, 50]) : nil,
                maximaleReistijd: r.chance(0.4) ? r.pick([15, 30, 45, 60, 90]) : nil))
        p.indicatieBeschikbaarheidContactgegevens = r.chance(0.9) ? r.pick([.ja, .ja, .nee]) : nil
        let beroepen = r.chance(0.9) ? r.int(1...3) : 0
        p.bemiddelingsberoep = (0..<beroepen).map { _ in Beroep(codeBeroepsnaam: r.pick(Self.occupations)) }
        p.sector = r.chance(0.4) ? [Sector(codeSbi: r.pick(Self.sbi))] : []
        if r.chance(0.75) {
            p.flexibiliteit =
                Flexibiliteit(
                    datumAanvangBeschikbaarVoorWerk: r.chance(0.8) ? date(&r, years: 2025...2027) : nil,
                    datumEindeBeschikbaarVoorWerk: r.chance(0.1) ? date(&r, years: 2027...2029) : nil,
                    indicatieOnregelmatigWerkOfPloegendienst: r.chance(0.7) ? indicatie(&r) : nil
                ).nonEmpty
        }
        p.werktijden = hours(&r)
        if r.chance(0.7) {
            p.contractvorm = [
                Contractvorm(
                    codeTypeArbeidscontract: r.pick([.bepaaldeTijd, .onbepaaldeTijd]),
                    codeTypeOvereenkomst: r.chance(0.6)
                        ? r.pick([.regulier, .regulier, .leerbaan, .werkervaringsplaats]) : nil)
            ]
        }
        if r.chance(0.5) {
            p.vervoermiddel = [
                VervoermiddelBeschikbaarheid(
                    codeVervoermiddel: r.pick([.auto, .fiets, .openbaarVervoer, .bromfiets]),
                    indicatieBeschikbaarVoorUitvoeringWerk: r.chance(0.5) ? indicatie(&r) : nil,
                    indicatieBeschikbaarVoorWoonWerkverkeer: r.chance(0.8) ? .ja : nil)
            ]
        }
        var a = Arbeidsmarktkwalificatie()
        a.codeWerkEnDenkniveauWerkzoekende = r.chance(0.8) ? WerkEnDenkniveau(rawValue: r.int(1...7)) : nil
        a.taalbeheersing = talen(&r)
        a.rijbewijs = rijbewijzen(&r)
        a.competentiebeheersing = (0..<(r.chance(0.5) ? r.int(1...5) : 0)).map { _ in
            Competentie(codeCompetentie: r.pick(Self.skills))
        }
        if r.chance(0.6) {
            let start = r.int(1995...2022)
            a.opleiding = [
                Opleiding(
                    codeOpleidingsnaam: try! OpleidingsnaamCode(validating: r.pick(Self.opleidingen)),
                    codeNiveauOpleiding: r.pick([.vmbo, .havoVwo, .mbo, .mbo, .hboBachelor, .woMaster]),
                    codeStatusOpleiding: r.pick([.afgerond, .afgerond, .afgebroken, .lopend]),
                    indicatieDiploma: r.pick([.ja, .nee, .onbekend]),
                    datumAanvangVolgenOpleiding: try! VUMDate(year: start, month: 9, day: 1),
                    datumEindeVolgenOpleiding: r.chance(0.7)
                        ? try! VUMDate(year: start + r.int(1...4), month: 7, day: 1) : nil)
            ]
        }
        if r.chance(0.3) {
            a.cursus = [
                Cursus(
                    naamCursus: r.pick(["VCA", "BHV", "Heftruck", "Hygiëne", "Excel"]),
                    indicatieCertificaat: r.pick([.ja, .nee]), datumCertificaat: date(&r, years: 2010...2025))
            ]
        }
        if r.chance(0.6) {
            a.werkervaring = (0..<r.int(1...3)).map { _ in
                let start = r.int(2000...2023)
                return Werkervaring(
                    beroep: Beroep(codeBeroepsnaam: r.pick(Self.occupations)),
                    naamOrganisatie: r.pick(Self.organisaties),
                    datumAanvangWerkzaamheden: try! VUMDate(year: start, month: r.int(1...12), day: 1),
                    datumEindeWerkzaamheden: r.chance(0.7)
                        ? try! VUMDate(year: start + r.int(1...3), month: r.int(1...12), day: 1) : nil)
            }
        }
        if r.chance(0.2) { a.interesse = [Interesse(naamInteresse: r.pick(["techniek", "zorg", "logistiek", "ICT"]))] }
        p.arbeidsmarktkwalificatie = a

        var w = Werkzoekende(matchingProfiel: p)
        if p.indicatieBeschikbaarheidContactgegevens == .ja {
            w.emailadres = ["werkzoekende\(index)@example.nl"]
            w.telefoonnummer = r.chance(0.7) ? ["06\(10_000_000 + r.int(0...89_999_999))"] : []
        }
        if r.chance(0.5) {
            w.contactpersoon = [
                Contactpersoon(
                    naamContactpersoonAfdeling: "Team Werk", telefoonnummer: "0301234567",
                    emailadres: "werk@gemeente.example.nl")
            ]
        }
        w.persoonlijkePresentatie = r.chance(0.3) ? "Ik zoek werk in de buurt en leer snel." : nil
        w.eisAanWerk =
            r.chance(0.2)
            ? EisAanWerk(indicatieAanpassingWerkomgeving: indicatie(&r), indicatieBegeleiding: indicatie(&r)).nonEmpty
            : nil
        w.indicatieLdrRegistratie = r.chance(0.3) ? r.pick([.ja, .nee, .nee, .nee]) : nil
        return w
    }

    /// The `index`-th vacature of this seed.
    public func vacature(_ index: Int) -> Vacature {
        var r = random(index, 2)
        let beroep = r.pick(Self.occupations)
        var v = VacatureMatchingProfiel(
            idVacature: try! RecordID(validating: "vac-\(seed)-\(index)"),
            adres: Adres(
                postcode: postcode(&r), straatnaam: r.chance(0.6) ? "Industrieweg" : nil,
                huisnummer: r.chance(0.6) ? r.int(1...200) : nil))
        let naam = beroep.rawValue.split(separator: "-").dropFirst().joined(separator: " ")
        v.naamVacature = String(naam.prefix(120))
        v.omschrijvingVacature = r.chance(0.8) ? "Wij zoeken een \(naam) voor ons team." : nil
        v.sluitingsdatumVacature = r.chance(0.6) ? date(&r, years: 2026...2027) : nil
        v.codeWerkEnDenkniveauMinimaal = r.chance(0.7) ? WerkEnDenkniveauCode(rawValue: String(r.int(1...7))) : nil
        var werkgever = Werkgever(handelsnaamOrganisatie: r.pick(Self.organisaties))
        werkgever.sector = r.chance(0.5) ? [Sector(codeSbi: r.pick(Self.sbi))] : []
        v.werkgever = werkgever
        v.sector = r.chance(0.5) ? Sector(codeSbi: r.pick(Self.sbi)) : nil
        v.beroep = Beroep(codeBeroepsnaam: beroep)
        if r.chance(0.6) {
            v.arbeidsVoorwaarden =
                ArbeidsVoorwaarden(
                    datumAanvangWerkzaamheden: r.chance(0.8) ? date(&r, years: 2026...2027) : nil,
                    salarisIndicatie: r.chance(0.5) ? "\(r.int(20...40) * 100) per maand" : nil
                ).nonEmpty
        }
        v.sollicitatiewijze =
            r.chance(0.7)
            ? [SollicitatiewijzeEntry(codeSollicitatiewijze: r.pick([.email, .onlineFormulier, .telefoon]))] : []
        v.werkervaring = r.chance(0.4) ? [VereisteWerkervaring(aantalJarenWerkzaamInBeroep: r.int(0...5))] : []
        v.werktijden = hours(&r)
        v.flexibiliteit = r.chance(0.5) ? Flexibiliteit(indicatieOnregelmatigWerkOfPloegendienst: indicatie(&r)) : nil
        v.contractvorm =
            r.chance(0.7) ? [Contractvorm(codeTypeArbeidscontract: r.pick([.bepaaldeTijd, .onbepaaldeTijd]))] : []
        v.rijbewijs = r.chance(0.3) ? rijbewijzen(&r) : []
        v.taalbeheersing =
            r.chance(0.6) ? [Taalbeheersing(codeTaal: Self.languages[0], mondeling: r.pick([.redelijk, .goed]))] : []
        v.competentiebeheersing = (0..<(r.chance(0.4) ? r.int(1...4) : 0)).map { _ in
            Competentie(codeCompetentie: r.pick(Self.skills))
        }
        var vacature = Vacature(matchingProfiel: v)
        vacature.nummerVacature = r.chance(0.5) ? "V\(r.int(100_000...999_999))" : nil
        if r.chance(0.6) {
            vacature.werkgeverContactpersoon = [
                Contactpersoon(naamContactpersoonAfdeling: "HR", emailadres: "hr@werkgever.example.nl")
            ]
        }
        return vacature
    }
}
