/// Seeded selectievragen over the values `SyntheticData` uses, for property tests, benchmarks and load.
///
/// Question `i` depends only on the seed and `i`. Each criterion of the dataset appears with its own
/// probability, with values drawn so that some questions match many records and some none.
public struct SyntheticQuestions: Sendable {
    public let seed: UInt64
    private let areas: [Int]

    public init(seed: UInt64, table: PC4Table) {
        self.seed = seed
        areas = table.postcodeAreas
    }

    private func random(_ index: Int, _ stream: UInt64) -> SeededRandom {
        SeededRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(index) &* 0x2545_F491 ^ stream)
    }

    private func gebied(_ r: inout SeededRandom, afstand: Int? = nil) -> String {
        let km = afstand ?? r.pick([0, 2, 5, 10, 10, 25, 25, 50, 100, 999])
        return #""selectiegebied":{"postcode":"\#(r.pick(areas))AB","afstand":\#(km)}"#
    }

    private func date(_ r: inout SeededRandom) -> String {
        "\(r.int(2025...2027))-\(String(format2: r.int(1...12)))-\(String(format2: r.int(1...28)))"
    }

    private func shared(_ r: inout SeededRandom, prefix: String) -> [String] {
        var parts: [String] = []
        if r.chance(0.25) {
            parts.append(#""flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst":{"$eq":\#(r.int(1...2))}"#)
        }
        let rijbewijs = prefix + "rijbewijs"
        if r.chance(0.25) {
            let soorten = r.chance(0.8) ? ["B"] : ["B", r.pick(["C", "CE", "AM", "D"])]
            let items = soorten.map { #"{"$elemMatch":{"codeSoortRijbewijs":{"$eq":"\#($0)"}}}"# }
            parts.append(#""\#(rijbewijs)":{"$all":[\#(items.joined(separator: ","))]}"#)
        }
        if r.chance(0.25) {
            var eis = #""codeTaal":{"$eq":"\#(r.chance(0.8) ? "nld" : r.pick(["eng", "deu", "pol", "tur"]))"}"#
            if r.chance(0.6) { eis += #","codeNiveauTaalbeheersingMondeling":{"$gte":\#(r.int(2...4))}"# }
            if r.chance(0.4) { eis += #","codeNiveauTaalbeheersingSchriftelijk":{"$gte":\#(r.int(2...4))}"# }
            parts.append(#""\#(prefix)taalbeheersing":{"$all":[{"$elemMatch":{\#(eis)}}]}"#)
        }
        if r.chance(0.3) {
            parts.append(#""werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":\#(r.pick([8, 16, 24, 32]))}"#)
        }
        if r.chance(0.3) {
            parts.append(#""werktijden.aantalWerkurenPerWeekMinimaal":{"$lte":\#(r.pick([16, 24, 32, 40]))}"#)
        }
        return parts
    }

    /// The `index`-th question on werkzoekenden.
    public func werkzoekenden(_ index: Int) -> JSONValue {
        var r = random(index, 1)
        var parts = [gebied(&r)]
        if r.chance(0.5) {
            let uris = (0..<r.int(1...3)).map { _ in
                SyntheticData.occupations[r.int(0...SyntheticData.occupations.count - 1)]
            }
            let branches = uris.map { #"{"codeBeroepsnaam":{"$eq":"\#($0.rawValue)"}}"# }
            parts.append(#""bemiddelingsberoep":{"$elemMatch":{"$or":[\#(branches.joined(separator: ","))]}}"#)
        }
        if r.chance(0.25) {
            var branches: [String] = []
            for _ in 0..<r.int(1...2) {
                var fields: [String] = []
                if r.chance(0.7) { fields.append(#""codeTypeArbeidscontract":{"$eq":"\#(r.pick(["B", "O"]))"}"#) }
                if fields.isEmpty || r.chance(0.4) {
                    fields.append(#""codeTypeOvereenkomst":{"$eq":"\#(r.pick(["01", "02", "04"]))"}"#)
                }
                branches.append("{" + fields.joined(separator: ",") + "}")
            }
            parts.append(#""contractvorm":{"$elemMatch":{"$or":[\#(branches.joined(separator: ","))]}}"#)
        }
        if r.chance(0.2) { parts.append(#""datumAanvangBeschikbaarVoorWerk":{"$lte":"\#(date(&r))"}"#) }
        if r.chance(0.2) { parts.append(#""werktijden.indicatieKantoortijden":{"$eq":\#(r.int(1...2))}"#) }
        parts += shared(&r, prefix: "arbeidsmarktkwalificatie.")
        return try! JSONValue.parse("{" + parts.joined(separator: ",") + "}")
    }

    /// The `index`-th question on vacatures.
    public func vacatures(_ index: Int) -> JSONValue {
        var r = random(index, 2)
        var parts = [gebied(&r)]
        if r.chance(0.5) {
            parts.append(#""beroep.codeBeroepsnaam":{"$eq":"\#(r.pick(SyntheticData.occupations).rawValue)"}"#)
        }
        if r.chance(0.25) {
            let n = r.int(1...7)
            parts.append(
                n == 7
                    ? #""codeWerkEnDenkniveauMinimaal":{"$eq":"7"}"#
                    : #""codeWerkEnDenkniveauMinimaal":{"$gte":"\#(n)","$lt":"7"}"#)
        }
        if r.chance(0.2) { parts.append(#""datumAanvangWerkzaamheden":{"$gte":"\#(date(&r))"}"#) }
        parts += shared(&r, prefix: "")
        return try! JSONValue.parse("{" + parts.joined(separator: ",") + "}")
    }

    /// A typical bemiddelaar's question: one occupation within 25 km, with a driving licence B
    /// and some hours; what the benchmarks time.
    public func typical(_ gegevensset: Gegevensset, _ index: Int) -> JSONValue {
        var r = random(index, 3)
        let beroep = r.pick(SyntheticData.occupations).rawValue
        let text =
            switch gegevensset {
            case .werkzoekenden:
                #"{\#(gebied(&r, afstand: 25)),"bemiddelingsberoep":{"$elemMatch":{"$or":[{"codeBeroepsnaam":{"$eq":"\#(beroep)"}}]}},"#
                    + #""werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24}}"#
            case .vacatures:
                #"{\#(gebied(&r, afstand: 25)),"beroep.codeBeroepsnaam":{"$eq":"\#(beroep)"},"#
                    + #""werktijden.aantalWerkurenPerWeekMinimaal":{"$lte":32}}"#
            }
        return try! JSONValue.parse(text)
    }
}

extension String {
    init(format2 n: Int) { self = n < 10 ? "0\(n)" : "\(n)" }
}
