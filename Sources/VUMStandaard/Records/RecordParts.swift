import Foundation

// The parts that werkzoekenden and vacatures share. Each reads with every problem recorded (see
// FieldReader) and writes without empty values.

public struct Beroep: RecordPart {
    public var codeBeroepsnaam: CompetentNLURI
    public init(codeBeroepsnaam: CompetentNLURI) { self.codeBeroepsnaam = codeBeroepsnaam }
    static func read(_ r: FieldReader) -> Beroep? {
        r.value("codeBeroepsnaam", CompetentNLURI.self, required: true).map(Beroep.init)
    }
    func write(_ b: inout ObjectBuilder) { b.set("codeBeroepsnaam", codeBeroepsnaam) }
}

public struct Sector: RecordPart {
    public var codeSbi: SBICode
    public init(codeSbi: SBICode) { self.codeSbi = codeSbi }
    static func read(_ r: FieldReader) -> Sector? {
        r.integer("codeSbi", 0...99_999, required: true).map { Sector(codeSbi: try! SBICode($0)) }
    }
    func write(_ b: inout ObjectBuilder) { b.set("codeSbi", codeSbi.rawValue) }
}

public struct Flexibiliteit: RecordPart {
    /// Only in werkzoekenden; a vacature's flexibiliteit has no start of availability.
    public var datumAanvangBeschikbaarVoorWerk: VUMDate?
    public var datumEindeBeschikbaarVoorWerk: VUMDate?
    public var indicatieOnregelmatigWerkOfPloegendienst: Indicatie?
    public init(
        datumAanvangBeschikbaarVoorWerk: VUMDate? = nil, datumEindeBeschikbaarVoorWerk: VUMDate? = nil,
        indicatieOnregelmatigWerkOfPloegendienst: Indicatie? = nil
    ) {
        self.datumAanvangBeschikbaarVoorWerk = datumAanvangBeschikbaarVoorWerk
        self.datumEindeBeschikbaarVoorWerk = datumEindeBeschikbaarVoorWerk
        self.indicatieOnregelmatigWerkOfPloegendienst = indicatieOnregelmatigWerkOfPloegendienst
    }
    static func read(_ r: FieldReader) -> Flexibiliteit? { read(r, withAanvang: true) }
    static func read(_ r: FieldReader, withAanvang: Bool) -> Flexibiliteit? {
        let f = Flexibiliteit(
            datumAanvangBeschikbaarVoorWerk: withAanvang
                ? r.value("datumAanvangBeschikbaarVoorWerk", VUMDate.self) : nil,
            datumEindeBeschikbaarVoorWerk: r.value("datumEindeBeschikbaarVoorWerk", VUMDate.self),
            indicatieOnregelmatigWerkOfPloegendienst: r.code("indicatieOnregelmatigWerkOfPloegendienst", Indicatie.self)
        )
        warnIfReversed(
            f.datumAanvangBeschikbaarVoorWerk, f.datumEindeBeschikbaarVoorWerk, r, "datumEindeBeschikbaarVoorWerk")
        return f
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("datumAanvangBeschikbaarVoorWerk", datumAanvangBeschikbaarVoorWerk)
        b.set("datumEindeBeschikbaarVoorWerk", datumEindeBeschikbaarVoorWerk)
        b.set("indicatieOnregelmatigWerkOfPloegendienst", indicatieOnregelmatigWerkOfPloegendienst)
    }
}

public struct Werktijden: RecordPart {
    public var aantalWerkurenPerWeekMinimaal: Int?
    public var aantalWerkurenPerWeekMaximaal: Int?
    public var indicatieKantoortijden: Indicatie?
    public init(
        aantalWerkurenPerWeekMinimaal: Int? = nil, aantalWerkurenPerWeekMaximaal: Int? = nil,
        indicatieKantoortijden: Indicatie? = nil
    ) {
        self.aantalWerkurenPerWeekMinimaal = aantalWerkurenPerWeekMinimaal
        self.aantalWerkurenPerWeekMaximaal = aantalWerkurenPerWeekMaximaal
        self.indicatieKantoortijden = indicatieKantoortijden
    }
    static func read(_ r: FieldReader) -> Werktijden? {
        let w = Werktijden(
            aantalWerkurenPerWeekMinimaal: r.integer("aantalWerkurenPerWeekMinimaal", 0...99),
            aantalWerkurenPerWeekMaximaal: r.integer("aantalWerkurenPerWeekMaximaal", 0...99),
            indicatieKantoortijden: r.code("indicatieKantoortijden", Indicatie.self))
        if let lo = w.aantalWerkurenPerWeekMinimaal, let hi = w.aantalWerkurenPerWeekMaximaal, lo > hi {
            r.log.warning(r.path("aantalWerkurenPerWeekMinimaal"), "minimum \(lo) is above maximum \(hi)")
        }
        return w
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("aantalWerkurenPerWeekMinimaal", aantalWerkurenPerWeekMinimaal)
        b.set("aantalWerkurenPerWeekMaximaal", aantalWerkurenPerWeekMaximaal)
        b.set("indicatieKantoortijden", indicatieKantoortijden)
    }
}

public struct Contractvorm: RecordPart {
    public var codeTypeArbeidscontract: TypeArbeidscontract?
    public var codeTypeOvereenkomst: TypeOvereenkomst?
    public init(codeTypeArbeidscontract: TypeArbeidscontract? = nil, codeTypeOvereenkomst: TypeOvereenkomst? = nil) {
        self.codeTypeArbeidscontract = codeTypeArbeidscontract
        self.codeTypeOvereenkomst = codeTypeOvereenkomst
    }
    static func read(_ r: FieldReader) -> Contractvorm? {
        Contractvorm(
            codeTypeArbeidscontract: r.code("codeTypeArbeidscontract", TypeArbeidscontract.self),
            codeTypeOvereenkomst: r.code("codeTypeOvereenkomst", TypeOvereenkomst.self))
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("codeTypeArbeidscontract", codeTypeArbeidscontract)
        b.set("codeTypeOvereenkomst", codeTypeOvereenkomst)
    }
}

public struct VervoermiddelBeschikbaarheid: RecordPart {
    public var codeVervoermiddel: Vervoermiddel
    public var indicatieBeschikbaarVoorUitvoeringWerk: Indicatie?
    public var indicatieBeschikbaarVoorWoonWerkverkeer: Indicatie?
    public init(
        codeVervoermiddel: Vervoermiddel, indicatieBeschikbaarVoorUitvoeringWerk: Indicatie? = nil,
        indicatieBeschikbaarVoorWoonWerkverkeer: Indicatie? = nil
    ) {
        self.codeVervoermiddel = codeVervoermiddel
        self.indicatieBeschikbaarVoorUitvoeringWerk = indicatieBeschikbaarVoorUitvoeringWerk
        self.indicatieBeschikbaarVoorWoonWerkverkeer = indicatieBeschikbaarVoorWoonWerkverkeer
    }
    static func read(_ r: FieldReader) -> VervoermiddelBeschikbaarheid? {
        let uitvoering = r.code("indicatieBeschikbaarVoorUitvoeringWerk", Indicatie.self)
        let woonWerk = r.code("indicatieBeschikbaarVoorWoonWerkverkeer", Indicatie.self)
        return r.code("codeVervoermiddel", Vervoermiddel.self, required: true).map {
            VervoermiddelBeschikbaarheid(
                codeVervoermiddel: $0, indicatieBeschikbaarVoorUitvoeringWerk: uitvoering,
                indicatieBeschikbaarVoorWoonWerkverkeer: woonWerk)
        }
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("codeVervoermiddel", codeVervoermiddel)
        b.set("indicatieBeschikbaarVoorUitvoeringWerk", indicatieBeschikbaarVoorUitvoeringWerk)
        b.set("indicatieBeschikbaarVoorWoonWerkverkeer", indicatieBeschikbaarVoorWoonWerkverkeer)
    }
}

public struct Taalbeheersing: RecordPart {
    public var codeTaal: TaalCode
    public var codeNiveauTaalbeheersingMondeling: NiveauTaalbeheersing?
    public var codeNiveauTaalbeheersingSchriftelijk: NiveauTaalbeheersing?
    public var codeNiveauTaalbeheersingLezen: NiveauTaalbeheersing?
    public var codeNiveauTaalbeheersingLuisteren: NiveauTaalbeheersing?
    public init(
        codeTaal: TaalCode, mondeling: NiveauTaalbeheersing? = nil, schriftelijk: NiveauTaalbeheersing? = nil,
        lezen: NiveauTaalbeheersing? = nil, luisteren: NiveauTaalbeheersing? = nil
    ) {
        self.codeTaal = codeTaal
        codeNiveauTaalbeheersingMondeling = mondeling
        codeNiveauTaalbeheersingSchriftelijk = schriftelijk
        codeNiveauTaalbeheersingLezen = lezen
        codeNiveauTaalbeheersingLuisteren = luisteren
    }
    static func read(_ r: FieldReader) -> Taalbeheersing? {
        let m = r.code("codeNiveauTaalbeheersingMondeling", NiveauTaalbeheersing.self)
        let s = r.code("codeNiveauTaalbeheersingSchriftelijk", NiveauTaalbeheersing.self)
        let le = r.code("codeNiveauTaalbeheersingLezen", NiveauTaalbeheersing.self)
        let lu = r.code("codeNiveauTaalbeheersingLuisteren", NiveauTaalbeheersing.self)
        return r.value("codeTaal", TaalCode.self, required: true).map {
            Taalbeheersing(codeTaal: $0, mondeling: m, schriftelijk: s, lezen: le, luisteren: lu)
        }
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("codeTaal", codeTaal)
        b.set("codeNiveauTaalbeheersingMondeling", codeNiveauTaalbeheersingMondeling)
        b.set("codeNiveauTaalbeheersingSchriftelijk", codeNiveauTaalbeheersingSchriftelijk)
        b.set("codeNiveauTaalbeheersingLezen", codeNiveauTaalbeheersingLezen)
        b.set("codeNiveauTaalbeheersingLuisteren", codeNiveauTaalbeheersingLuisteren)
    }
}

public struct Rijbewijs: RecordPart {
    public var codeSoortRijbewijs: SoortRijbewijs
    public init(codeSoortRijbewijs: SoortRijbewijs) { self.codeSoortRijbewijs = codeSoortRijbewijs }
    static func read(_ r: FieldReader) -> Rijbewijs? {
        r.code("codeSoortRijbewijs", SoortRijbewijs.self, required: true).map(Rijbewijs.init)
    }
    func write(_ b: inout ObjectBuilder) { b.set("codeSoortRijbewijs", codeSoortRijbewijs) }
}

public struct Competentie: RecordPart {
    public var codeCompetentie: CompetentNLURI
    public init(codeCompetentie: CompetentNLURI) { self.codeCompetentie = codeCompetentie }
    static func read(_ r: FieldReader) -> Competentie? {
        r.value("codeCompetentie", CompetentNLURI.self, required: true).map(Competentie.init)
    }
    func write(_ b: inout ObjectBuilder) { b.set("codeCompetentie", codeCompetentie) }
}

public struct Opleiding: RecordPart {
    public var codeOpleidingsnaam: OpleidingsnaamCode?
    public var codeNiveauOpleiding: NiveauOpleiding?
    public var codeStatusOpleiding: StatusOpleiding?
    public var indicatieDiploma: IndicatieBehaald?
    public var datumAanvangVolgenOpleiding: VUMDate?
    public var datumEindeVolgenOpleiding: VUMDate?
    public var datumDiploma: VUMDate?
    public var naamOpleidingsinstituut: String?
    public var toelichtingOpleiding: String?
    public init(
        codeOpleidingsnaam: OpleidingsnaamCode? = nil, codeNiveauOpleiding: NiveauOpleiding? = nil,
        codeStatusOpleiding: StatusOpleiding? = nil, indicatieDiploma: IndicatieBehaald? = nil,
        datumAanvangVolgenOpleiding: VUMDate? = nil, datumEindeVolgenOpleiding: VUMDate? = nil,
        datumDiploma: VUMDate? = nil, naamOpleidingsinstituut: String? = nil, toelichtingOpleiding: String? = nil
    ) {
        self.codeOpleidingsnaam = codeOpleidingsnaam
        self.codeNiveauOpleiding = codeNiveauOpleiding
        self.codeStatusOpleiding = codeStatusOpleiding
        self.indicatieDiploma = indicatieDiploma
        self.datumAanvangVolgenOpleiding = datumAanvangVolgenOpleiding
        self.datumEindeVolgenOpleiding = datumEindeVolgenOpleiding
        self.datumDiploma = datumDiploma
        self.naamOpleidingsinstituut = naamOpleidingsinstituut
        self.toelichtingOpleiding = toelichtingOpleiding
    }
    static func read(_ r: FieldReader) -> Opleiding? {
        let o = Opleiding(
            codeOpleidingsnaam: r.value("codeOpleidingsnaam", OpleidingsnaamCode.self),
            codeNiveauOpleiding: r.code("codeNiveauOpleiding", NiveauOpleiding.self),
            codeStatusOpleiding: r.code("codeStatusOpleiding", StatusOpleiding.self),
            indicatieDiploma: r.code("indicatieDiploma", IndicatieBehaald.self),
            datumAanvangVolgenOpleiding: r.value("datumAanvangVolgenOpleiding", VUMDate.self),
            datumEindeVolgenOpleiding: r.value("datumEindeVolgenOpleiding", VUMDate.self),
            datumDiploma: r.value("datumDiploma", VUMDate.self),
            naamOpleidingsinstituut: r.string("naamOpleidingsinstituut", max: 500),
            toelichtingOpleiding: r.string("toelichtingOpleiding", max: 2000))
        warnIfReversed(o.datumAanvangVolgenOpleiding, o.datumEindeVolgenOpleiding, r, "datumEindeVolgenOpleiding")
        warnIfFuture(o.datumDiploma, r, "datumDiploma")
        return o
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("codeOpleidingsnaam", codeOpleidingsnaam)
        b.set("codeNiveauOpleiding", codeNiveauOpleiding)
        b.set("codeStatusOpleiding", codeStatusOpleiding)
        b.set("indicatieDiploma", indicatieDiploma)
        b.set("datumAanvangVolgenOpleiding", datumAanvangVolgenOpleiding)
        b.set("datumEindeVolgenOpleiding", datumEindeVolgenOpleiding)
        b.set("datumDiploma", datumDiploma)
        b.set("naamOpleidingsinstituut", naamOpleidingsinstituut)
        b.set("toelichtingOpleiding", toelichtingOpleiding)
    }
}

public struct Cursus: RecordPart {
    public var naamCursus: String?
    public var indicatieCertificaat: IndicatieBehaald?
    public var datumCertificaat: VUMDate?
    public var datumAanvangVolgenCursus: VUMDate?
    public var datumEindeVolgenCursus: VUMDate?
    public var naamOpleidingsinstituut: String?
    public var toelichtingCursus: String?
    public init(
        naamCursus: String? = nil, indicatieCertificaat: IndicatieBehaald? = nil, datumCertificaat: VUMDate? = nil,
        datumAanvangVolgenCursus: VUMDate? = nil, datumEindeVolgenCursus: VUMDate? = nil,
        naamOpleidingsinstituut: String? = nil, toelichtingCursus: String? = nil
    ) {
        self.naamCursus = naamCursus
        self.indicatieCertificaat = indicatieCertificaat
        self.datumCertificaat = datumCertificaat
        self.datumAanvangVolgenCursus = datumAanvangVolgenCursus
        self.datumEindeVolgenCursus = datumEindeVolgenCursus
        self.naamOpleidingsinstituut = naamOpleidingsinstituut
        self.toelichtingCursus = toelichtingCursus
    }
    static func read(_ r: FieldReader) -> Cursus? {
        let c = Cursus(
            naamCursus: r.string("naamCursus", max: 120),
            indicatieCertificaat: r.code("indicatieCertificaat", IndicatieBehaald.self),
            datumCertificaat: r.value("datumCertificaat", VUMDate.self),
            datumAanvangVolgenCursus: r.value("datumAanvangVolgenCursus", VUMDate.self),
            datumEindeVolgenCursus: r.value("datumEindeVolgenCursus", VUMDate.self),
            naamOpleidingsinstituut: r.string("naamOpleidingsinstituut", max: 500),
            toelichtingCursus: r.string("toelichtingCursus", max: 2000))
        warnIfReversed(c.datumAanvangVolgenCursus, c.datumEindeVolgenCursus, r, "datumEindeVolgenCursus")
        warnIfFuture(c.datumCertificaat, r, "datumCertificaat")
        return c
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("naamCursus", naamCursus)
        b.set("indicatieCertificaat", indicatieCertificaat)
        b.set("datumCertificaat", datumCertificaat)
        b.set("datumAanvangVolgenCursus", datumAanvangVolgenCursus)
        b.set("datumEindeVolgenCursus", datumEindeVolgenCursus)
        b.set("naamOpleidingsinstituut", naamOpleidingsinstituut)
        b.set("toelichtingCursus", toelichtingCursus)
    }
}

public struct Werkervaring: RecordPart {
    public var beroep: Beroep?
    public var naamOrganisatie: String?
    public var datumAanvangWerkzaamheden: VUMDate?
    public var datumEindeWerkzaamheden: VUMDate?
    public var toelichtingWerkervaring: String?
    public init(
        beroep: Beroep? = nil, naamOrganisatie: String? = nil, datumAanvangWerkzaamheden: VUMDate? = nil,
        datumEindeWerkzaamheden: VUMDate? = nil, toelichtingWerkervaring: String? = nil
    ) {
        self.beroep = beroep
        self.naamOrganisatie = naamOrganisatie
        self.datumAanvangWerkzaamheden = datumAanvangWerkzaamheden
        self.datumEindeWerkzaamheden = datumEindeWerkzaamheden
        self.toelichtingWerkervaring = toelichtingWerkervaring
    }
    static func read(_ r: FieldReader) -> Werkervaring? {
        let w = Werkervaring(
            beroep: r.object("beroep", Beroep.read),
            naamOrganisatie: r.string("naamOrganisatie", max: 70),
            datumAanvangWerkzaamheden: r.value("datumAanvangWerkzaamheden", VUMDate.self),
            datumEindeWerkzaamheden: r.value("datumEindeWerkzaamheden", VUMDate.self),
            toelichtingWerkervaring: r.string("toelichtingWerkervaring", max: 2000))
        warnIfReversed(w.datumAanvangWerkzaamheden, w.datumEindeWerkzaamheden, r, "datumEindeWerkzaamheden")
        return w
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("beroep", beroep)
        b.set("naamOrganisatie", naamOrganisatie)
        b.set("datumAanvangWerkzaamheden", datumAanvangWerkzaamheden)
        b.set("datumEindeWerkzaamheden", datumEindeWerkzaamheden)
        b.set("toelichtingWerkervaring", toelichtingWerkervaring)
    }
}

public struct Interesse: RecordPart {
    public var naamInteresse: String
    public init(naamInteresse: String) { self.naamInteresse = naamInteresse }
    static func read(_ r: FieldReader) -> Interesse? {
        r.string("naamInteresse", max: 120, required: true).map(Interesse.init)
    }
    func write(_ b: inout ObjectBuilder) { b.set("naamInteresse", naamInteresse) }
}

public struct Webadres: RecordPart {
    public var url: String
    public var codeWebadres: SoortWebadres?
    public init(url: String, codeWebadres: SoortWebadres? = nil) {
        self.url = url
        self.codeWebadres = codeWebadres
    }
    static func read(_ r: FieldReader) -> Webadres? {
        let code = r.code("codeWebadres", SoortWebadres.self)
        return r.string("url", max: 1000, required: true).map { Webadres(url: $0, codeWebadres: code) }
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("url", url)
        b.set("codeWebadres", codeWebadres)
    }
}

/// Detail only: a contact at the bron or the employer.
public struct Contactpersoon: RecordPart {
    public var naamContactpersoonAfdeling: String?
    public var telefoonnummer: String?
    public var emailadres: String?
    public init(naamContactpersoonAfdeling: String? = nil, telefoonnummer: String? = nil, emailadres: String? = nil) {
        self.naamContactpersoonAfdeling = naamContactpersoonAfdeling
        self.telefoonnummer = telefoonnummer
        self.emailadres = emailadres
    }
    static func read(_ r: FieldReader) -> Contactpersoon? {
        Contactpersoon(
            naamContactpersoonAfdeling: r.string("naamContactpersoonAfdeling", max: 35),
            telefoonnummer: r.string("telefoonnummer", max: 14),
            emailadres: r.raw("emailadres").flatMap { emailAddress($0, path: r.path("emailadres"), log: r.log) })
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("naamContactpersoonAfdeling", naamContactpersoonAfdeling)
        b.set("telefoonnummer", telefoonnummer)
        b.set("emailadres", emailadres)
    }
}

/// Detail only: adjustments the job seeker needs.
public struct EisAanWerk: RecordPart {
    public var indicatieAanpassingWerkomgeving: Indicatie?
    public var indicatieBegeleiding: Indicatie?
    public var indicatieWerkvariatie: Indicatie?
    public init(
        indicatieAanpassingWerkomgeving: Indicatie? = nil, indicatieBegeleiding: Indicatie? = nil,
        indicatieWerkvariatie: Indicatie? = nil
    ) {
        self.indicatieAanpassingWerkomgeving = indicatieAanpassingWerkomgeving
        self.indicatieBegeleiding = indicatieBegeleiding
        self.indicatieWerkvariatie = indicatieWerkvariatie
    }
    static func read(_ r: FieldReader) -> EisAanWerk? {
        EisAanWerk(
            indicatieAanpassingWerkomgeving: r.code("indicatieAanpassingWerkomgeving", Indicatie.self),
            indicatieBegeleiding: r.code("indicatieBegeleiding", Indicatie.self),
            indicatieWerkvariatie: r.code("indicatieWerkvariatie", Indicatie.self))
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("indicatieAanpassingWerkomgeving", indicatieAanpassingWerkomgeving)
        b.set("indicatieBegeleiding", indicatieBegeleiding)
        b.set("indicatieWerkvariatie", indicatieWerkvariatie)
    }
}

// MARK: - Helpers

func emailAddress(_ v: JSONValue, path: @autoclosure () -> String, log: IssueLog) -> String? {
    guard let s = FieldReader.string(v, max: 254, path: path(), log: log) else { return nil }
    let parts = s.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !s.contains(" ") else {
        log.error(path(), "\(Pattern.quoted(s)) is not an e-mail address")
        return nil
    }
    return s
}

func phoneNumber(_ v: JSONValue, path: @autoclosure () -> String, log: IssueLog) -> String? {
    FieldReader.string(v, max: 14, path: path(), log: log)
}

/// The standard allows dates in any order; a reversed pair is worth a warning, never an error.
func warnIfReversed(_ start: VUMDate?, _ end: VUMDate?, _ r: FieldReader, _ endKey: String) {
    if let start, let end, end < start {
        r.log.warning(r.path(endKey), "\(end) is before the start date \(start)")
    }
}

func warnIfFuture(_ date: VUMDate?, _ r: FieldReader, _ key: String) {
    guard let date else { return }
    let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Europe/Amsterdam")!, from: Date())
    if let today = try? VUMDate(year: c.year!, month: c.month!, day: c.day!), date > today {
        r.log.warning(r.path(key), "\(date) lies in the future")
    }
}
