public struct Adres: RecordPart {
    public var postcode: Postcode
    public var straatnaam: String?
    public var huisnummer: Int?
    public var huisnummertoevoeging: String?
    public init(
        postcode: Postcode, straatnaam: String? = nil, huisnummer: Int? = nil, huisnummertoevoeging: String? = nil
    ) {
        self.postcode = postcode
        self.straatnaam = straatnaam
        self.huisnummer = huisnummer
        self.huisnummertoevoeging = huisnummertoevoeging
    }
    static func read(_ r: FieldReader) -> Adres? {
        let straat = r.string("straatnaam", max: 24)
        let nummer = r.integer("huisnummer", 0...99_999)
        let toevoeging = r.string("huisnummertoevoeging", max: 6)
        return r.value("postcode", Postcode.self, required: true).map {
            Adres(postcode: $0, straatnaam: straat, huisnummer: nummer, huisnummertoevoeging: toevoeging)
        }
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("postcode", postcode)
        b.set("straatnaam", straatnaam)
        b.set("huisnummer", huisnummer)
        b.set("huisnummertoevoeging", huisnummertoevoeging)
    }
}

/// The employer as a matching profile shows it (its contact persons are detail only).
public struct Werkgever: RecordPart {
    public var handelsnaamOrganisatie: String?
    public var sector: [Sector] = []
    public var webadres: [Webadres] = []
    public init(handelsnaamOrganisatie: String? = nil) { self.handelsnaamOrganisatie = handelsnaamOrganisatie }
    static func read(_ r: FieldReader) -> Werkgever? {
        var w = Werkgever(handelsnaamOrganisatie: r.string("handelsnaamOrganisatie", max: 500))
        w.sector = r.objects("sector", Sector.read)
        w.webadres = r.objects("webadres", Webadres.read)
        return w
    }
    func write(to b: inout ObjectBuilder) {
        b.set("handelsnaamOrganisatie", handelsnaamOrganisatie)
        b.set("sector", sector)
        b.set("webadres", webadres)
    }
    func write(_ b: inout ObjectBuilder) {
        write(to: &b)
    }
}

public struct ArbeidsVoorwaarden: RecordPart {
    public var datumAanvangWerkzaamheden: VUMDate?
    public var datumEindeWerkzaamheden: VUMDate?
    public var omschrijvingArbeidsvoorwaarden: String?
    public var salarisIndicatie: String?
    public init(
        datumAanvangWerkzaamheden: VUMDate? = nil, datumEindeWerkzaamheden: VUMDate? = nil,
        omschrijvingArbeidsvoorwaarden: String? = nil, salarisIndicatie: String? = nil
    ) {
        self.datumAanvangWerkzaamheden = datumAanvangWerkzaamheden
        self.datumEindeWerkzaamheden = datumEindeWerkzaamheden
        self.omschrijvingArbeidsvoorwaarden = omschrijvingArbeidsvoorwaarden
        self.salarisIndicatie = salarisIndicatie
    }
    static func read(_ r: FieldReader) -> ArbeidsVoorwaarden? {
        let a = ArbeidsVoorwaarden(
            datumAanvangWerkzaamheden: r.value("datumAanvangWerkzaamheden", VUMDate.self),
            datumEindeWerkzaamheden: r.value("datumEindeWerkzaamheden", VUMDate.self),
            omschrijvingArbeidsvoorwaarden: r.string("omschrijvingArbeidsvoorwaarden", max: 2000),
            salarisIndicatie: r.string("salarisIndicatie", max: 100))
        warnIfReversed(a.datumAanvangWerkzaamheden, a.datumEindeWerkzaamheden, r, "datumEindeWerkzaamheden")
        return a
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("datumAanvangWerkzaamheden", datumAanvangWerkzaamheden)
        b.set("datumEindeWerkzaamheden", datumEindeWerkzaamheden)
        b.set("omschrijvingArbeidsvoorwaarden", omschrijvingArbeidsvoorwaarden)
        b.set("salarisIndicatie", salarisIndicatie)
    }
}

public struct SollicitatiewijzeEntry: RecordPart {
    public var codeSollicitatiewijze: Sollicitatiewijze?
    public var webadres: Webadres?
    public init(codeSollicitatiewijze: Sollicitatiewijze? = nil, webadres: Webadres? = nil) {
        self.codeSollicitatiewijze = codeSollicitatiewijze
        self.webadres = webadres
    }
    static func read(_ r: FieldReader) -> SollicitatiewijzeEntry? {
        SollicitatiewijzeEntry(
            codeSollicitatiewijze: r.code("codeSollicitatiewijze", Sollicitatiewijze.self),
            webadres: r.object("webadres", Webadres.read))
    }
    func write(_ b: inout ObjectBuilder) {
        b.set("codeSollicitatiewijze", codeSollicitatiewijze)
        b.set("webadres", webadres)
    }
}

public struct VereisteWerkervaring: RecordPart {
    public var aantalJarenWerkzaamInBeroep: Int
    public init(aantalJarenWerkzaamInBeroep: Int) { self.aantalJarenWerkzaamInBeroep = aantalJarenWerkzaamInBeroep }
    static func read(_ r: FieldReader) -> VereisteWerkervaring? {
        r.integer("aantalJarenWerkzaamInBeroep", 0...99, required: true).map(VereisteWerkervaring.init)
    }
    func write(_ b: inout ObjectBuilder) { b.set("aantalJarenWerkzaamInBeroep", aantalJarenWerkzaamInBeroep) }
}

/// A vacancy's matching profile: what a zoekvraag may return. Its number and the employer's contact
/// persons are detail only and have no place here.
public struct VacatureMatchingProfiel: Sendable, Hashable {
    public var idVacature: RecordID
    public var naamVacature: String?
    public var omschrijvingVacature: String?
    public var sluitingsdatumVacature: VUMDate?
    public var codeWerkEnDenkniveauMinimaal: WerkEnDenkniveauCode?
    public var adres: Adres
    public var werkgever: Werkgever?
    public var sector: Sector?
    public var beroep: Beroep?
    public var arbeidsVoorwaarden: ArbeidsVoorwaarden?
    public var sollicitatiewijze: [SollicitatiewijzeEntry] = []
    public var werkervaring: [VereisteWerkervaring] = []
    public var werktijden: Werktijden?
    public var flexibiliteit: Flexibiliteit?
    public var contractvorm: [Contractvorm] = []
    public var vervoermiddel: [VervoermiddelBeschikbaarheid] = []
    public var rijbewijs: [Rijbewijs] = []
    public var taalbeheersing: [Taalbeheersing] = []
    public var opleiding: [Opleiding] = []
    public var cursus: [Cursus] = []
    public var competentiebeheersing: [Competentie] = []

    public init(idVacature: RecordID, adres: Adres) {
        self.idVacature = idVacature
        self.adres = adres
    }

    static func read(_ r: FieldReader, werkgeverContact: ((FieldReader) -> Void)? = nil) -> VacatureMatchingProfiel? {
        let id = r.value("idVacature", RecordID.self, required: true)
        let naam = r.string("naamVacature", max: 120)
        let omschrijving = r.string("omschrijvingVacature", max: 2000)
        let sluiting = r.value("sluitingsdatumVacature", VUMDate.self)
        let niveau = r.code("codeWerkEnDenkniveauMinimaal", WerkEnDenkniveauCode.self)
        let adres = r.object("adres", required: true, Adres.read)
        let werkgever = r.object("werkgever") { w -> Werkgever? in
            if let werkgeverContact {
                werkgeverContact(w)
            } else {
                w.forbid(["contactpersoon"], because: "is detail only and must not be in a matching profile")
            }
            return Werkgever.read(w)
        }
        let sector = r.object("sector", Sector.read)
        let beroep = r.object("beroep", Beroep.read)
        let voorwaarden = r.object("arbeidsVoorwaarden", ArbeidsVoorwaarden.read)
        let sollicitatie = r.objects("sollicitatiewijze", SollicitatiewijzeEntry.read)
        let ervaring = r.objects("werkervaring", VereisteWerkervaring.read)
        let werktijden = r.object("werktijden", Werktijden.read)
        let flex = r.object("flexibiliteit") { Flexibiliteit.read($0, withAanvang: false) }
        let contract = r.objects("contractvorm", Contractvorm.read)
        let vervoer = r.objects("vervoermiddel", VervoermiddelBeschikbaarheid.read)
        let rijbewijs = r.objects("rijbewijs", Rijbewijs.read)
        let taal = r.objects("taalbeheersing", Taalbeheersing.read)
        let opleiding = r.objects("opleiding", Opleiding.read)
        let cursus = r.objects("cursus", Cursus.read)
        let competentie = r.objects("competentiebeheersing", Competentie.read)
        guard let id, let adres else { return nil }
        var v = VacatureMatchingProfiel(idVacature: id, adres: adres)
        v.naamVacature = naam
        v.omschrijvingVacature = omschrijving
        v.sluitingsdatumVacature = sluiting
        v.codeWerkEnDenkniveauMinimaal = niveau
        v.werkgever = werkgever
        v.sector = sector
        v.beroep = beroep
        v.arbeidsVoorwaarden = voorwaarden
        v.sollicitatiewijze = sollicitatie
        v.werkervaring = ervaring
        v.werktijden = werktijden
        v.flexibiliteit = flex
        v.contractvorm = contract
        v.vervoermiddel = vervoer
        v.rijbewijs = rijbewijs
        v.taalbeheersing = taal
        v.opleiding = opleiding
        v.cursus = cursus
        v.competentiebeheersing = competentie
        return v
    }

    func write(to b: inout ObjectBuilder, werkgeverContact: [Contactpersoon] = []) {
        b.set("idVacature", idVacature)
        b.set("naamVacature", naamVacature)
        b.set("omschrijvingVacature", omschrijvingVacature)
        b.set("sluitingsdatumVacature", sluitingsdatumVacature)
        b.set("codeWerkEnDenkniveauMinimaal", codeWerkEnDenkniveauMinimaal)
        b.set("adres", adres)
        var w = ObjectBuilder()
        werkgever?.write(to: &w)
        w.set("contactpersoon", werkgeverContact)
        b.set("werkgever", w.json)
        b.set("sector", sector)
        b.set("beroep", beroep)
        b.set("arbeidsVoorwaarden", arbeidsVoorwaarden)
        b.set("sollicitatiewijze", sollicitatiewijze)
        b.set("werkervaring", werkervaring)
        b.set("werktijden", werktijden)
        b.set("flexibiliteit", flexibiliteit)
        b.set("contractvorm", contractvorm)
        b.set("vervoermiddel", vervoermiddel)
        b.set("rijbewijs", rijbewijs)
        b.set("taalbeheersing", taalbeheersing)
        b.set("opleiding", opleiding)
        b.set("cursus", cursus)
        b.set("competentiebeheersing", competentiebeheersing)
    }
}

/// A vacancy's full record: the matching profile plus its number and the employer's contact persons.
public struct Vacature: Sendable, Hashable {
    public var matchingProfiel: VacatureMatchingProfiel
    public var nummerVacature: String?
    public var werkgeverContactpersoon: [Contactpersoon] = []

    public init(matchingProfiel: VacatureMatchingProfiel) { self.matchingProfiel = matchingProfiel }

    /// The fields only a detail carries: never in a matching profile.
    public static let detailOnlyFields: Set<String> = ["nummerVacature"]

    /// Without the employer's contact persons, for a detail released without contact data.
    public var withoutContactData: Vacature {
        var copy = self
        copy.werkgeverContactpersoon = []
        return copy
    }

    static func read(_ r: FieldReader) -> Vacature? {
        var contact: [Contactpersoon] = []
        let profiel = VacatureMatchingProfiel.read(r) { w in contact = w.objects("contactpersoon", Contactpersoon.read)
        }
        let nummer = r.string("nummerVacature", max: 11)
        guard let profiel else { return nil }
        var v = Vacature(matchingProfiel: profiel)
        v.nummerVacature = nummer
        v.werkgeverContactpersoon = contact
        return v
    }

    func write(to b: inout ObjectBuilder) {
        matchingProfiel.write(to: &b, werkgeverContact: werkgeverContactpersoon)
        b.set("nummerVacature", nummerVacature)
    }
}
