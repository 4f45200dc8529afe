import Foundation
import Testing
import VUMStandaard
import VUMTesting

/// Hostile input for the parsers a bron and the exchange run on every message: mutated selectievragen
/// and records must be refused with an error or read into a value that behaves (evaluates, serialises
/// and reads back the same), never crash. CI runs a few thousand inputs per parser; the opt-in long run
/// is `VUM_FUZZ_ITERATIONS=1000000 bash scripts/test.sh --filter FuzzTests` (README, "Working on it").
@Suite(
    "Fuzz: mutated selectievragen and records are refused or read, never crash",
    .timeLimit(.minutes(Int(Mutator.timeLimit(default: 4_000).components.seconds / 60))))
struct FuzzTests {
    static let iterations = Mutator.iterations(default: 4_000)

    @Test("the selectievraag parser and the evaluator")
    func selectievraag() async throws {
        try await offPool {
            let questions = SyntheticQuestions(seed: 11, table: testPC4Table)
            let corpus = (0..<40).flatMap { i in [questions.werkzoekenden(i), questions.vacatures(i)] }.map {
                $0.serializedBytes()
            }
            let evaluator = Evaluator(table: testPC4Table)
            let people = (0..<50).map(SyntheticData(seed: 12, table: testPC4Table).werkzoekende).map(\.matchingProfiel)
            let vacancies = (0..<50).map(SyntheticData(seed: 13, table: testPC4Table).vacature).map(\.matchingProfiel)
            var mutator = Mutator(seed: 2026, corpus: corpus)
            var (parsed, refused) = (0, 0)
            for _ in 0..<Self.iterations {
                let input = mutator.next()
                guard let json = try? JSONValue.parse(input) else {
                    refused += 1
                    continue
                }
                for gegevensset in Gegevensset.allCases {
                    guard let vraag = try? Selectievraag(json: json, gegevensset: gegevensset),
                        let prepared = try? evaluator.prepare(vraag)
                    else {
                        refused += 1
                        continue
                    }
                    parsed += 1
                    // A question that reads evaluates without trapping, and reads again from its own JSON.
                    _ =
                        gegevensset == .werkzoekenden
                        ? evaluator.select(people, prepared).matches.count
                        : evaluator.select(vacancies, prepared).matches.count
                    let again = try Selectievraag(json: vraag.json, gegevensset: gegevensset)
                    #expect(again.genegeerdeCriteria == vraag.genegeerdeCriteria)
                }
            }
            #expect(
                parsed > 0 && refused > 0, "the mutations should produce both (parsed \(parsed), refused \(refused))")
        }
    }

    @Test("records: werkzoekenden and vacatures, full and as matching profiles")
    func records() async throws {
        try await offPool {
            let data = SyntheticData(seed: 21, table: testPC4Table)
            let corpus = (0..<30).flatMap { i in [data.werkzoekende(i).json, data.vacature(i).json] }.map {
                $0.serializedBytes()
            }
            var mutator = Mutator(seed: 2027, corpus: corpus)
            var (read, refused) = (0, 0)
            for _ in 0..<Self.iterations {
                let input = mutator.next()
                guard let json = try? JSONValue.parse(input) else {
                    refused += 1
                    continue
                }
                if let w = try? Werkzoekende(json: json) {
                    read += 1
                    // What was read writes and reads back to the same record.
                    let again = try Werkzoekende(json: w.json)
                    #expect(again == w, "\(String(decoding: input, as: UTF8.self))")
                } else {
                    refused += 1
                }
                if let v = try? Vacature(json: json) {
                    read += 1
                    let again = try Vacature(json: v.json)
                    #expect(again == v, "\(String(decoding: input, as: UTF8.self))")
                }
                _ = try? WerkzoekendeMatchingProfiel(json: json)
                _ = try? VacatureMatchingProfiel(json: json)
            }
            #expect(read > 0 && refused > 0, "read \(read), refused \(refused)")
        }
    }

    @Test("record files: NDJSON and CSV with mutated lines are read entry by entry")
    func recordFiles() async throws {
        try await offPool {
            let data = SyntheticData(seed: 31, table: testPC4Table)
            let ndjson = Array((0..<20).map { data.werkzoekende($0).json.serialized() }.joined(separator: "\n").utf8)
            var mutator = Mutator(seed: 2028, corpus: [ndjson])
            var (good, bad) = (0, 0)
            for _ in 0..<max(1, Self.iterations / 20) {
                let input = mutator.next()
                for entry in (try? RecordFile(bytes: input))?.entries ?? [] {
                    if case .success = entry.json { good += 1 } else { bad += 1 }
                }
                _ = try? RecordFile(csv: input)
            }
            // Mutated files still yield readable entries beside the broken ones: one bad line hides nothing.
            #expect(good > 0 && bad > 0, "readable \(good), broken \(bad)")
        }
    }
}
