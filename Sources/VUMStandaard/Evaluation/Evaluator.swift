/// A record the evaluator can match: both matching profiles and both detail types.
public protocol Matchable: Sendable {
    /// The postcode that `selectiegebied` is measured from.
    var matchPostcode: Postcode { get }
    /// Whether one criterion holds for this record, in the strict reading of DOMAIN.md section 3.
    func satisfies(_ criterium: Criterium) -> Bool
}

/// Evaluates selectievragen against records, exactly as DOMAIN.md section 3 reads them: all criteria
/// must hold; a criterion on a field the record does not have fails; `selectiegebied` is the
/// great-circle distance between PC4 centroids; an unknown record postcode cannot match.
public struct Evaluator: Sendable {
    public let table: PC4Table

    public init(table: PC4Table) { self.table = table }

    /// A question ready to evaluate: its centre looked up once.
    public struct PreparedQuestion: Sendable {
        public let vraag: Selectievraag
        let centre: PC4Table.Centroid
        let radius: Double
    }

    /// Looks up the question's postcode; an unknown one makes the question invalid (`400.01`).
    public func prepare(_ vraag: Selectievraag) throws(SelectievraagError) -> PreparedQuestion {
        guard let centre = table.centroid(vraag.selectiegebied.postcode) else {
            throw SelectievraagError(
                path: "selectiegebied.postcode",
                "\(vraag.selectiegebied.postcode) lies in no known postcode area")
        }
        return PreparedQuestion(vraag: vraag, centre: centre, radius: Double(vraag.selectiegebied.afstand))
    }

    /// The record's distance from the question's centre when it matches, `nil` when it does not.
    public func match(_ record: some Matchable, _ q: PreparedQuestion) -> Double? {
        guard let c = table.centroid(record.matchPostcode) else { return nil }
        let d = PC4Table.distance(q.centre, c)
        guard d <= q.radius + 1e-9 else { return nil }
        for criterium in q.vraag.criteria where !record.satisfies(criterium) { return nil }
        return d
    }

    public func matches(_ record: some Matchable, _ q: PreparedQuestion) -> Bool { match(record, q) != nil }

    /// The postcode areas the question's `selectiegebied` covers, nearest first: what an indexed store
    /// looks up instead of measuring every record.
    public func areas(_ q: PreparedQuestion) -> [(pc4: Int, distance: Double)] {
        table.areas(within: q.radius, of: q.centre)
    }

    /// The answer of a bron: at most `limit` matches, nearest first when there are more, and whether
    /// there were more (`maximumAantalResultatenBereikt`). Ties keep the input order. Inlinable, so a
    /// caller's record type gets a specialised copy (unspecialised, the copies of each record and the
    /// generic metadata look-ups were most of an in-memory bron's work per zoekvraag).
    @inlinable
    public func select<R: Matchable>(_ records: some Sequence<R>, _ q: PreparedQuestion, limit: Int = 100)
        -> (matches: [R], maximumAantalResultatenBereikt: Bool)
    {
        var found: [(distance: Double, index: Int, record: R)] = []
        for (i, r) in records.enumerated() {
            if let d = match(r, q) { found.append((d, i, r)) }
        }
        let more = found.count > limit
        if more {
            found.sort { ($0.distance, $0.index) < ($1.distance, $1.index) }
            found.removeLast(found.count - limit)
        }
        return (found.map(\.record), more)
    }
}

// MARK: - The criteria on werkzoekenden

extension WerkzoekendeMatchingProfiel: Matchable {
    public var matchPostcode: Postcode { mobiliteit.bemiddelingspostcode }

    public func satisfies(_ criterium: Criterium) -> Bool {
        if let shared = criterium.sharedOutcome(
            werktijden: werktijden, flexibiliteit: flexibiliteit,
            rijbewijs: arbeidsmarktkwalificatie?.rijbewijs ?? [],
            taalbeheersing: arbeidsmarktkwalificatie?.taalbeheersing ?? [])
        {
            return shared
        }
        switch criterium {
        case .bemiddelingsberoep(let uris):
            return bemiddelingsberoep.contains { uris.contains($0.codeBeroepsnaam) }
        case .contractvorm(let branches):
            return contractvorm.contains { element in branches.contains { $0.isSatisfied(by: element) } }
        case .beschikbaarUiterlijk(let date):
            guard let d = flexibiliteit?.datumAanvangBeschikbaarVoorWerk else { return false }
            return d <= date
        default:
            // Criteria of the other dataset never reach a werkzoekende: the parser does not produce them.
            return false
        }
    }
}

extension Werkzoekende: Matchable {
    public var matchPostcode: Postcode { matchingProfiel.matchPostcode }
    public func satisfies(_ criterium: Criterium) -> Bool { matchingProfiel.satisfies(criterium) }
}

// MARK: - The criteria on vacatures

extension VacatureMatchingProfiel: Matchable {
    public var matchPostcode: Postcode { adres.postcode }

    public func satisfies(_ criterium: Criterium) -> Bool {
        if let shared = criterium.sharedOutcome(
            werktijden: werktijden, flexibiliteit: flexibiliteit, rijbewijs: rijbewijs,
            taalbeheersing: taalbeheersing)
        {
            return shared
        }
        switch criterium {
        case .beroep(let uri):
            return beroep?.codeBeroepsnaam == uri
        case .werkEnDenkniveauVanaf(let from):
            // Strings compared as strings: "1".."6" <= value < "7".
            guard let v = codeWerkEnDenkniveauMinimaal?.rawValue else { return false }
            return v >= from.rawValue && v < "7"
        case .werkEnDenkniveauGelijk(let code):
            return codeWerkEnDenkniveauMinimaal == code
        case .aanvangWerkzaamhedenVanaf(let date):
            guard let d = arbeidsVoorwaarden?.datumAanvangWerkzaamheden else { return false }
            return d >= date
        default:
            return false
        }
    }
}

extension Vacature: Matchable {
    public var matchPostcode: Postcode { matchingProfiel.matchPostcode }
    public func satisfies(_ criterium: Criterium) -> Bool { matchingProfiel.satisfies(criterium) }
}

extension Criterium {
    /// The outcome of a criterion both datasets have (on the parts they share), `nil` for one of only one.
    func sharedOutcome(
        werktijden: Werktijden?, flexibiliteit: Flexibiliteit?, rijbewijs: [Rijbewijs],
        taalbeheersing: [Taalbeheersing]
    ) -> Bool? {
        switch self {
        case .onregelmatigWerk(let i):
            return flexibiliteit?.indicatieOnregelmatigWerkOfPloegendienst == i
        case .kantoortijden(let i):
            return werktijden?.indicatieKantoortijden == i
        case .rijbewijzen(let soorten):
            return soorten.allSatisfy { s in rijbewijs.contains { $0.codeSoortRijbewijs == s } }
        case .talen(let eisen):
            return eisen.allSatisfy { $0.isSatisfied(by: taalbeheersing) }
        case .urenPerWeekMaximaalMinstens(let n):
            guard let max = werktijden?.aantalWerkurenPerWeekMaximaal else { return false }
            return max >= n
        case .urenPerWeekMinimaalHoogstens(let n):
            guard let min = werktijden?.aantalWerkurenPerWeekMinimaal else { return false }
            return min <= n
        default:
            return nil
        }
    }
}

extension ContractvormEis {
    /// One element satisfies every condition of the branch.
    func isSatisfied(by c: Contractvorm) -> Bool {
        if let want = codeTypeArbeidscontract, c.codeTypeArbeidscontract != want { return false }
        if let want = codeTypeOvereenkomst, c.codeTypeOvereenkomst != want { return false }
        return codeTypeArbeidscontract != nil || codeTypeOvereenkomst != nil
    }
}

extension Taaleis {
    /// `$elemMatch`: one element has this language and every asked level (compared as numbers, so the
    /// strict reading lets 8 "n.v.t." pass a `$gte`); a missing level fails.
    func isSatisfied(by elements: [Taalbeheersing]) -> Bool {
        elements.contains { t in
            guard t.codeTaal == codeTaal else { return false }
            if let m = minimaalMondeling {
                guard let level = t.codeNiveauTaalbeheersingMondeling, level.rawValue >= m else { return false }
            }
            if let s = minimaalSchriftelijk {
                guard let level = t.codeNiveauTaalbeheersingSchriftelijk, level.rawValue >= s else { return false }
            }
            return true
        }
    }
}
