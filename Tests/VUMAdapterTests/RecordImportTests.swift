import Foundation
import Testing
import VUMStandaard
import VUMTesting

@testable import VUMAdapter

@Suite("Import into the SQLite store")
struct RecordImportTests {
    @Test("valid records load, invalid ones are reported with position and path, the same id replaces")
    func mixedFile() async throws {
        let data = SyntheticData(seed: 8, table: testPC4Table)
        let good = (0..<10).map { data.werkzoekende($0).json.serialized() }
        let lines =
            good[0..<5] + [#"{"idWerkzoekende":"kapot","mobiliteit":{"bemiddelingspostcode":"12"}}"#, "{niet json"]
            + good[5..<10] + [good[2]]
        let file = try RecordFile(bytes: Array(lines.joined(separator: "\n").utf8))
        try await withTemporaryStore { store, _ in
            let summary = try RecordImport(store: store).load(file)
            #expect(summary.gegevensset == .werkzoekenden)
            #expect(summary.total == 13)
            #expect(summary.inserted == 10)
            #expect(summary.replaced == 1)
            #expect(summary.invalidRecords == 2)
            #expect(summary.invalid.map(\.position) == ["line 6", "line 7"])
            #expect(summary.invalid[0].recordID == "kapot")
            #expect(summary.invalid[0].issue.path == "mobiliteit.bemiddelingspostcode")
            #expect(summary.invalid[1].issue.message.contains("invalid JSON"))
            let average = try #require(summary.averageCompleteness)
            #expect(average > 0.2 && average < 1)
            #expect(try store.count(.werkzoekenden) == 10)
            // Importing again replaces every record and adds none.
            let again = try RecordImport(store: store).load(file)
            #expect(again.inserted == 0 && again.replaced == 11)
            #expect(try store.count(.werkzoekenden) == 10)
        }
    }

    @Test("a CSV file of vacatures loads and reads back as the record it describes")
    func csv() async throws {
        let text = """
            idVacature,naamVacature,adres.postcode,beroep.codeBeroepsnaam,werktijden.aantalWerkurenPerWeekMinimaal,rijbewijs[].codeSoortRijbewijs
            v-1,"Chauffeur, nacht",3511AB,https://x.nl/chauffeur,24,B|C
            """
        try await withTemporaryStore { store, _ in
            let summary = try RecordImport(store: store).load(try RecordFile(csv: Array(text.utf8)))
            #expect(summary.inserted == 1 && summary.invalidRecords == 0)
            let expected = try Vacature(
                json: JSONValue.parse(
                    """
                    {"idVacature":"v-1","naamVacature":"Chauffeur, nacht","adres":{"postcode":"3511AB"},
                     "beroep":{"codeBeroepsnaam":"https://x.nl/chauffeur"},"werktijden":{"aantalWerkurenPerWeekMinimaal":24},
                     "rijbewijs":[{"codeSoortRijbewijs":"B"},{"codeSoortRijbewijs":"C"}]}
                    """))
            #expect(
                try await store.detail(try RecordID(validating: "v-1"), gegevensset: .vacatures) == .vacature(expected))
        }
    }

    @Test("streaming from bytes in small batches: broken lines before the first record, every batch written")
    func streamingBatches() async throws {
        let data = SyntheticData(seed: 9, table: testPC4Table)
        let lines = ["{kapot", ""] + (0..<11).map { data.vacature($0).json.serialized() }
        try await withTemporaryStore { store, _ in
            var importer = RecordImport(store: store)
            importer.batchSize = 4
            let summary = try importer.load(bytes: Array(lines.joined(separator: "\n").utf8), csv: false)
            #expect(summary.gegevensset == .vacatures)
            #expect(summary.format == .ndjson)
            #expect(summary.total == 12 && summary.inserted == 11 && summary.invalidRecords == 1)
            #expect(summary.invalid.first?.position == "line 1")
            #expect(try store.count(.vacatures) == 11)
            // A file in which no record names its dataset needs the dataset named.
            #expect(throws: RecordImport.ImportError.self) {
                try importer.load(bytes: Array("{\"x\":1}\n".utf8), csv: false)
            }
        }
    }
}
