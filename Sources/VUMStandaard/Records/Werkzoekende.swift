/// Where the job seeker wants to work from, and how far.
public struct Mobiliteit: RecordPart {
    public var bemiddelingspostcode: Postcode
    /// Kilometres, 0–999.
    public var maximaleReisafstand: Int?
    /// Minutes, 0–999.
    public var maximaleReistijd: Int?
    public init(bemiddelingspostcode: Postcode, maximaleReisafstand: Int? = nil, maximaleReistijd: Int? = nil) {
        self.bemiddelingspostcode = bemiddelingspostcode
        self.maximaleReisafstand = maximaleReisafstand
        self.maximaleReistijd = maximaleReistijd
    }
    static func read(_ r: FieldReader) -> Mobiliteit? {
        let afstand = r.integer("maximaleReisafstand", 0...999)
        let tijd = r.integer("maximaleReistijd", 0...999)
        return r.value("bemiddelingspostcode", Postcode.self, required: true).map {
            Mobiliteit(bemiddelingspostcode: $0, maximaleReisafstand: afstand, maximaleReistijd: tijd)
        }
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("bemiddelingspostcode", bemiddelingspostcode)
        b.set("maximaleReisafstand", maximaleReisafstand)
        b.set("maximaleReistijd", maximaleReistijd)
    }
}

/// What the job seeker can do and has done.
public struct Arbeidsmarktkwalificatie: RecordPart {
    public var codeWerkEnDenkniveauWerkzoekende: WerkEnDenkniveau?
    public var competentiebeheersing: [Competentie] = []
    public var taalbeheersing: [Taalbeheersing] = []
    public var rijbewijs: [Rijbewijs] = []
    public var opleiding: [Opleiding] = []
    public var cursus: [Cursus] = []
    public var werkervaring: [Werkervaring] = []
    public var interesse: [Interesse] = []
    public init() {}
    static func read(_ r: FieldReader) -> Arbeidsmarktkwalificatie? {
        var a = Arbeidsmarktkwalificatie()
        a.codeWerkEnDenkniveauWerkzoekende = r.code("codeWerkEnDenkniveauWerkzoekende", WerkEnDenkniveau.self)
        a.competentiebeheersing = r.objects("competentiebeheersing", Competentie.read)
        a.taalbeheersing = r.objects("taalbeheersing", Taalbeheersing.read)
        a.rijbewijs = r.objects("rijbewijs", Rijbewijs.read)
        a.opleiding = r.objects("opleiding", Opleiding.read)
        a.cursus = r.objects("cursus", Cursus.read)
        a.werkervaring = r.objects("werkervaring", Werkervaring.read)
        a.interesse = r.objects("interesse", Interesse.read)
        return a
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("codeWerkEnDenkniveauWerkzoekende", codeWerkEnDenkniveauWerkzoekende)
        b.set("competentiebeheersing", competentiebeheersing)
        b.set("taalbeheersing", taalbeheersing)
        b.set("rijbewijs", rijbewijs)
        b.set("opleiding", opleiding)
        b.set("cursus", cursus)
        b.set("werkervaring", werkervaring)
        b.set("interesse", interesse)
    }
}

/// A job seeker's matching profile: what a zoekvraag may return. It has no field for contact data,
/// personal presentation, work adjustments or LDR registration, so it cannot leak them.
public struct WerkzoekendeMatchingProfiel: Sendable, Hashable {
    public var idWerkzoekende: RecordID
    public var indicatieBeschikbaarheidContactgegevens: JaNee?
    public var mobiliteit: Mobiliteit
    public var bemiddelingsberoep: [Beroep] = []
    public var sector: [Sector] = []
    public var flexibiliteit: Flexibiliteit?
    public var werktijden: Werktijden?
    public var contractvorm: [Contractvorm] = []
    public var vervoermiddel: [VervoermiddelBeschikbaarheid] = []
    public var arbeidsmarktkwalificatie: Arbeidsmarktkwalificatie?

    public init(idWerkzoekende: RecordID, mobiliteit: Mobiliteit) {
        self.idWerkzoekende = idWerkzoekende
        self.mobiliteit = mobiliteit
    }

    static let fields = [
        "idWerkzoekende", "indicatieBeschikbaarheidContactgegevens", "mobiliteit", "bemiddelingsberoep", "sector",
        "flexibiliteit", "werktijden", "contractvorm", "vervoermiddel", "arbeidsmarktkwalificatie",
    ]

    static func read(_ r: FieldReader) -> WerkzoekendeMatchingProfiel? {
        let id = r.value("idWerkzoekende", RecordID.self, required: true)
        let contact = r.code("indicatieBeschikbaarheidContactgegevens", JaNee.self)
        let mobiliteit = r.object("mobiliteit", required: true, Mobiliteit.read)
        let beroep = r.objects("bemiddelingsberoep", Beroep.read)
        let sector = r.objects("sector", Sector.read)
        let flex = r.object("flexibiliteit", Flexibiliteit.read)
        let werktijden = r.object("werktijden", Werktijden.read)
        let contract = r.objects("contractvorm", Contractvorm.read)
        let vervoer = r.objects("vervoermiddel", VervoermiddelBeschikbaarheid.read)
        let kwalificatie = r.object("arbeidsmarktkwalificatie", Arbeidsmarktkwalificatie.read)
        guard let id, let mobiliteit else { return nil }
        var p = WerkzoekendeMatchingProfiel(idWerkzoekende: id, mobiliteit: mobiliteit)
        p.indicatieBeschikbaarheidContactgegevens = contact
        p.bemiddelingsberoep = beroep
        p.sector = sector
        p.flexibiliteit = flex
        p.werktijden = werktijden
        p.contractvorm = contract
        p.vervoermiddel = vervoer
        p.arbeidsmarktkwalificatie = kwalificatie
        return p
    }

    func write(to b: inout ObjectBuilder) {
        b.set("idWerkzoekende", idWerkzoekende)
        b.set("indicatieBeschikbaarheidContactgegevens", indicatieBeschikbaarheidContactgegevens)
        b.set("mobiliteit", mobiliteit)
        b.set("bemiddelingsberoep", bemiddelingsberoep)
        b.set("sector", sector)
        b.set("flexibiliteit", flexibiliteit)
        b.set("werktijden", werktijden)
        b.set("contractvorm", contractvorm)
        b.set("vervoermiddel", vervoermiddel)
        b.set("arbeidsmarktkwalificatie", arbeidsmarktkwalificatie)
    }
}

/// A job seeker's full record as the bron holds it: the matching profile plus the detail-only fields,
/// which only a detail request returns (and contact data only when the bron releases it).
public struct Werkzoekende: Sendable, Hashable {
    public var matchingProfiel: WerkzoekendeMatchingProfiel
    public var emailadres: [String] = []
    public var telefoonnummer: [String] = []
    public var webadres: [Webadres] = []
    public var contactpersoon: [Contactpersoon] = []
    public var persoonlijkePresentatie: String?
    public var eisAanWerk: EisAanWerk?
    public var indicatieLdrRegistratie: JaNee?

    public init(matchingProfiel: WerkzoekendeMatchingProfiel) { self.matchingProfiel = matchingProfiel }

    /// The fields only a detail carries: never in a matching profile.
    public static let detailOnlyFields: Set<String> = [
        "emailadres", "telefoonnummer", "webadres", "contactpersoon", "persoonlijkePresentatie", "eisAanWerk",
        "indicatieLdrRegistratie",
    ]

    /// The same record without contact data (emailadres, telefoonnummer, webadres, contactpersoon), for a
    /// detail the bron releases without it.
    public var withoutContactData: Werkzoekende {
        var copy = self
        copy.emailadres = []
        copy.telefoonnummer = []
        copy.webadres = []
        copy.contactpersoon = []
        return copy
    }

    static func read(_ r: FieldReader) -> Werkzoekende? {
        let profiel = WerkzoekendeMatchingProfiel.read(r)
        let email = r.array("emailadres") { emailAddress($0, path: $1(), log: r.log) }
        let telefoon = r.array("telefoonnummer") { phoneNumber($0, path: $1(), log: r.log) }
        let web = r.objects("webadres", Webadres.read)
        let contact = r.objects("contactpersoon", Contactpersoon.read)
        let presentatie = r.string("persoonlijkePresentatie", max: 2000)
        let eis = r.object("eisAanWerk", EisAanWerk.read)
        let ldr = r.code("indicatieLdrRegistratie", JaNee.self)
        guard let profiel else { return nil }
        var w = Werkzoekende(matchingProfiel: profiel)
        w.emailadres = email
        w.telefoonnummer = telefoon
        w.webadres = web
        w.contactpersoon = contact
        w.persoonlijkePresentatie = presentatie
        w.eisAanWerk = eis
        w.indicatieLdrRegistratie = ldr
        return w
    }

    func write(to b: inout ObjectBuilder) {
        matchingProfiel.write(to: &b)
        b.set("emailadres", .array(emailadres.map(JSONValue.string)))
        b.set("telefoonnummer", .array(telefoonnummer.map(JSONValue.string)))
        b.set("webadres", webadres)
        b.set("contactpersoon", contactpersoon)
        b.set("persoonlijkePresentatie", persoonlijkePresentatie)
        b.set("eisAanWerk", eisAanWerk)
        b.set("indicatieLdrRegistratie", indicatieLdrRegistratie)
    }
}
