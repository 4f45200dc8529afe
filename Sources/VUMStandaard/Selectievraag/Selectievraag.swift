/// The area a zoekvraag searches: records whose PC4 centroid lies within `afstand` km of the
/// question's postcode's PC4 centroid.
public struct Selectiegebied: Sendable, Hashable {
    public var postcode: Postcode
    /// Kilometres, 0–999.
    public var afstand: Int
    public init(postcode: Postcode, afstand: Int) {
        self.postcode = postcode
        self.afstand = afstand
    }
}

/// A required language, with minimum levels when given.
public struct Taaleis: Sendable, Hashable {
    public var codeTaal: TaalCode
    public var minimaalMondeling: Int?
    public var minimaalSchriftelijk: Int?
    public init(codeTaal: TaalCode, minimaalMondeling: Int? = nil, minimaalSchriftelijk: Int? = nil) {
        self.codeTaal = codeTaal
        self.minimaalMondeling = minimaalMondeling
        self.minimaalSchriftelijk = minimaalSchriftelijk
    }
}

/// One searchable criterion of DOMAIN.md section 3, typed.
public enum Criterium: Sendable, Hashable {
    // Werkzoekenden
    /// `bemiddelingsberoep`: some occupation is one of these.
    case bemiddelingsberoep([CompetentNLURI])
    /// `contractvorm`: some element matches one of the branches.
    case contractvorm([ContractvormEis])
    /// `datumAanvangBeschikbaarVoorWerk` (in `flexibiliteit`) `$lte` the date.
    case beschikbaarUiterlijk(VUMDate)
    // Vacatures
    /// `beroep.codeBeroepsnaam` `$eq`.
    case beroep(CompetentNLURI)
    /// `codeWerkEnDenkniveauMinimaal` `{"$gte": n, "$lt": "7"}`.
    case werkEnDenkniveauVanaf(WerkEnDenkniveauCode)
    /// `codeWerkEnDenkniveauMinimaal` `{"$eq": "7"}`.
    case werkEnDenkniveauGelijk(WerkEnDenkniveauCode)
    /// `datumAanvangWerkzaamheden` (in `arbeidsVoorwaarden`) `$gte` the date.
    case aanvangWerkzaamhedenVanaf(VUMDate)
    // Both
    /// `flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst` `$eq` 1 or 2.
    case onregelmatigWerk(Indicatie)
    /// `werktijden.indicatieKantoortijden` `$eq` 1 or 2.
    case kantoortijden(Indicatie)
    /// `rijbewijs` (`$all` of `$elemMatch`): every category is held.
    case rijbewijzen([SoortRijbewijs])
    /// `taalbeheersing` (`$all` of `$elemMatch`): every language at its levels.
    case talen([Taaleis])
    /// `werktijden.aantalWerkurenPerWeekMaximaal` `$gte` n.
    case urenPerWeekMaximaalMinstens(Int)
    /// `werktijden.aantalWerkurenPerWeekMinimaal` `$lte` n.
    case urenPerWeekMinimaalHoogstens(Int)
}

/// A branch of a contractvorm criterion: one element must have these values.
public struct ContractvormEis: Sendable, Hashable {
    public var codeTypeArbeidscontract: TypeArbeidscontract?
    public var codeTypeOvereenkomst: TypeOvereenkomst?
    public init(codeTypeArbeidscontract: TypeArbeidscontract? = nil, codeTypeOvereenkomst: TypeOvereenkomst? = nil) {
        self.codeTypeArbeidscontract = codeTypeArbeidscontract
        self.codeTypeOvereenkomst = codeTypeOvereenkomst
    }
}

/// Why a question was refused: VUM error `400.01`, with the path of what is wrong.
public struct SelectievraagError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code = "400.01"
    public var path: String
    public var message: String
    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(code) invalid selectievraag: \(detail)" }
    /// What is wrong and where, without the code: `selectiegebied.postcode: ...`.
    public var detail: String { "\(path.isEmpty ? "" : path + ": ")\(message)" }
}

/// A selectievraag: the required `selectiegebied`, the criteria this exchange applies, and the keys it
/// does not apply (reported back as `genegeerdeCriteria`, so the asker can filter those itself).
public struct Selectievraag: Sendable, Hashable {
    public let gegevensset: Gegevensset
    public let selectiegebied: Selectiegebied
    /// In the order of the question. All must hold.
    public let criteria: [Criterium]
    /// Keys (or `key` with an operator this exchange does not know) that are not applied.
    public let genegeerdeCriteria: [String]
    /// The question exactly as received; ``json`` encodes it back unchanged.
    public let json: JSONValue

    /// Parses a question. Unknown keys and operators are set aside in ``genegeerdeCriteria``; wrong
    /// types, out-of-range values and a missing or invalid `selectiegebied` throw `400.01`.
    public init(json: JSONValue, gegevensset: Gegevensset) throws(SelectievraagError) {
        guard case .object(let object) = json else {
            throw SelectievraagError(path: "", "the selectievraag must be a JSON object, not \(json.typeName)")
        }
        var parser = SelectievraagParser(gegevensset: gegevensset)
        guard let gebied = object["selectiegebied"] else {
            throw SelectievraagError(
                path: "selectiegebied", "is required ({\"postcode\": \"1234AB\", \"afstand\": km})")
        }
        do {
            selectiegebied = try parser.selectiegebied(gebied)
            for (key, value) in object where key != "selectiegebied" {
                try parser.criterion(key: key, value: value)
            }
        } catch let error as SelectievraagError {
            throw error
        } catch {
            throw SelectievraagError(path: "", "\(error)")
        }
        self.gegevensset = gegevensset
        criteria = parser.criteria
        genegeerdeCriteria = parser.ignored
        self.json = json
    }

    public init(bytes: some Collection<UInt8>, gegevensset: Gegevensset) throws(SelectievraagError) {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw SelectievraagError(path: "", error.description)
        }
        try self.init(json: json, gegevensset: gegevensset)
    }
}
