import Foundation
import Testing
import VUMAdapter
import VUMStandaard
import VUMTesting

@Suite("In-memory source")
struct InMemorySourceTests {
    @Test("property: looking only at the covered postcode areas answers exactly as the evaluator scanning every record")
    func areasEqualScan() async throws {
        let data = SyntheticData(seed: 31, table: testPC4Table)
        let questions = SyntheticQuestions(seed: 31, table: testPC4Table)
        let werkzoekenden = (0..<2000).map(data.werkzoekende)
        let vacatures = (0..<2000).map(data.vacature)
        let source = InMemorySource(werkzoekenden: werkzoekenden, vacatures: vacatures, table: testPC4Table)
        let context = Verzoekcontext(vraagID: "v")
        var nonEmpty = 0
        var capped = 0
        for i in 0..<150 {
            for gegevensset in Gegevensset.allCases {
                let json = gegevensset == .werkzoekenden ? questions.werkzoekenden(i) : questions.vacatures(i)
                let q = try storeEvaluator.prepare(Selectievraag(json: json, gegevensset: gegevensset))
                for limit in [3, 100] {
                    let got = try await source.zoek(q, limit: limit, context: context)
                    let expected: (matches: [JSONValue], more: Bool)
                    switch gegevensset {
                    case .werkzoekenden:
                        let scan = storeEvaluator.select(werkzoekenden.map(\.matchingProfiel), q, limit: limit)
                        expected = (scan.matches.map(\.json), scan.maximumAantalResultatenBereikt)
                    case .vacatures:
                        let scan = storeEvaluator.select(vacatures.map(\.matchingProfiel), q, limit: limit)
                        expected = (scan.matches.map(\.json), scan.maximumAantalResultatenBereikt)
                    }
                    #expect(
                        got.matches == expected.matches,
                        "question \(i) on \(gegevensset), limit \(limit): \(json.serialized())")
                    #expect(got.maximumAantalResultatenBereikt == expected.more)
                    if !expected.matches.isEmpty { nonEmpty += 1 }
                    if expected.more { capped += 1 }
                }
            }
        }
        // The questions must exercise both empty and capped answers, or the comparison proves little.
        #expect(nonEmpty > 50)
        #expect(capped > 10)
    }
}
