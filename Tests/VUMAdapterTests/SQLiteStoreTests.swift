import Foundation
import GRDB
import Testing
import VUMStandaard
import VUMTesting

@testable import VUMAdapter

/// A store in a fresh temporary folder, removed afterwards.
func withTemporaryStore<T>(_ body: (SQLiteStore, URL) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try SQLiteStore(path: folder.appendingPathComponent("bron.sqlite").path)
    return try await body(store, folder)
}

let storeEvaluator = Evaluator(table: testPC4Table)

@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test(
        "property: for generated data and questions the store answers exactly as the evaluator",
        .timeLimit(.minutes(5)), .serialized, arguments: [UInt64(11), 12])
    func storeEqualsEvaluator(seed: UInt64) async throws {
        let data = SyntheticData(seed: seed, table: testPC4Table)
        let questions = SyntheticQuestions(seed: seed, table: testPC4Table)
        // Few areas, so questions find many records and the result cap and the nearest-first order matter.
        let werkzoekenden = (0..<3000).map(data.werkzoekende)
        let vacatures = (0..<3000).map(data.vacature)
        try await withTemporaryStore { store, _ in
            // Filling the store and evaluating are long synchronous work: off the cooperative pool.
            try await offPool {
                try store.upsert(werkzoekenden)
                try store.upsert(vacatures)
            }
            var compared = 0
            var nonEmpty = 0
            var capped = 0
            for i in 0..<200 {
                for gegevensset in Gegevensset.allCases {
                    let json = gegevensset == .werkzoekenden ? questions.werkzoekenden(i) : questions.vacatures(i)
                    let q = try storeEvaluator.prepare(Selectievraag(json: json, gegevensset: gegevensset))
                    for limit in [3, 100] {
                        let expected: (matches: [JSONValue], more: Bool) = try await offPool {
                            switch gegevensset {
                            case .werkzoekenden:
                                let e = storeEvaluator.select(
                                    werkzoekenden.lazy.map(\.matchingProfiel), q, limit: limit)
                                return (e.matches.map(\.json), e.maximumAantalResultatenBereikt)
                            case .vacatures:
                                let e = storeEvaluator.select(vacatures.lazy.map(\.matchingProfiel), q, limit: limit)
                                return (e.matches.map(\.json), e.maximumAantalResultatenBereikt)
                            }
                        }
                        // The adapter's path answers rows as the SQL returns them; the checked path runs each through
                        // the evaluator too. Both must give what the evaluator gives over all records.
                        for check in [SQLiteStore.RowCheck.trustQuery, .evaluate] {
                            let got = try await store.search(q, limit: limit, evaluator: storeEvaluator, check: check)
                            #expect(
                                got.matches == expected.matches,
                                "\(check): question \(i) on \(gegevensset), limit \(limit): \(json.serialized())")
                            #expect(
                                got.maximumAantalResultatenBereikt == expected.more,
                                "\(check): question \(i) on \(gegevensset)")
                            // The SQL says exactly what the evaluator says: the exact check refuses nothing.
                            #expect(
                                got.refusedByEvaluator == 0, "question \(i) on \(gegevensset): \(json.serialized())")
                        }
                        compared += 1
                        if !expected.matches.isEmpty { nonEmpty += 1 }
                        if expected.more { capped += 1 }
                    }
                }
            }
            // The generated questions exercise empty, partial and capped answers alike.
            #expect(compared == 800)
            #expect(nonEmpty > 160)
            #expect(capped > 40)
        }
    }

    static let gebied = #""selectiegebied":{"postcode":"3511AB","afstand":25}"#

    @Test(
        "a question is one query: the areas, nearest first, drive the most selective index",
        arguments: [
            (
                "{\(gebied),\"werktijden.aantalWerkurenPerWeekMaximaal\":{\"$gte\":24}}", Gegevensset.werkzoekenden,
                [
                    "SCAN a VIRTUAL TABLE", "SEARCH r USING COVERING INDEX werkzoekende_by_pc4 (pc4=?)",
                    "SEARCH j USING INTEGER PRIMARY KEY",
                ]
            ),
            (
                "{\(gebied),\"bemiddelingsberoep\":{\"$elemMatch\":{\"$or\":[{\"codeBeroepsnaam\":{\"$eq\":\"https://x.nl/1\"}}]}},"
                    + "\"arbeidsmarktkwalificatie.rijbewijs\":{\"$all\":[{\"$elemMatch\":{\"codeSoortRijbewijs\":{\"$eq\":\"B\"}}}]}}",
                .werkzoekenden,
                [
                    "SCAN a VIRTUAL TABLE",
                    "SEARCH x USING COVERING INDEX werkzoekende_beroep_by_code (code=? AND pc4=?)",
                    "SEARCH r USING INTEGER PRIMARY KEY", "SEARCH d USING PRIMARY KEY (rid=? AND code=?)",
                ]
            ),
            (
                "{\(gebied),\"arbeidsmarktkwalificatie.rijbewijs\":{\"$all\":[{\"$elemMatch\":{\"codeSoortRijbewijs\":{\"$eq\":\"D\"}}}]}}",
                .werkzoekenden, ["SEARCH x USING COVERING INDEX werkzoekende_rijbewijs_by_code (code=? AND pc4=?)"]
            ),
            (
                "{\(gebied),\"arbeidsmarktkwalificatie.taalbeheersing\":{\"$all\":[{\"$elemMatch\":{\"codeTaal\":{\"$eq\":\"pol\"}}}]}}",
                .werkzoekenden, ["SEARCH x USING INDEX werkzoekende_taal_by_taal (taal=? AND pc4=?)"]
            ),
            (
                "{\(gebied),\"werktijden.aantalWerkurenPerWeekMaximaal\":{\"$gte\":24},\"codeWerkEnDenkniveauMinimaal\":{\"$eq\":\"7\"}}",
                .vacatures, ["SEARCH r USING COVERING INDEX vacature_by_pc4 (pc4=?)"]
            ),
            (
                "{\(gebied),\"beroep.codeBeroepsnaam\":{\"$eq\":\"https://x.nl/1\"}}", .vacatures,
                ["SCAN a VIRTUAL TABLE", "vacature_by_beroep (beroep=? AND pc4=?)"]
            ),
        ])
    func queryPlan(question: String, gegevensset: Gegevensset, expected: [String]) async throws {
        try await withTemporaryStore { store, _ in
            let q = try storeEvaluator.prepare(Selectievraag(json: JSONValue.parse(question), gegevensset: gegevensset))
            let plan = try store.plan(q, evaluator: storeEvaluator)
            // The areas come first: that order is what lets a search stop early.
            #expect(plan.first?.hasPrefix("SCAN a VIRTUAL TABLE") == true, "\(plan)")
            for line in expected {
                #expect(plan.contains { $0.contains(line) }, "\(line) not in \(plan)")
            }
        }
    }

    @Test("the first query shapes stay compiled per connection, later ones are prepared each time")
    func statementCacheAdmission() throws {
        let db = try DatabaseQueue()
        let admission = StatementCacheAdmission(capacity: 2)
        try db.read { db in
            let shapes = ["SELECT 1 WHERE ? = 1", "SELECT 2 WHERE ? = 2", "SELECT 3 WHERE ? = 3"]
            let first = try shapes.map { try admission.statement(db, sql: $0) }
            let second = try shapes.map { try admission.statement(db, sql: $0) }
            #expect(first[0] === second[0])
            #expect(first[1] === second[1])
            #expect(first[2] !== second[2], "a shape beyond the capacity is not cached")
            #expect(admission.admittedCount == 2)
            // A cached statement answers with the arguments of each use.
            #expect(try Int.fetchOne(second[0], arguments: [1]) == 1)
            #expect(try Int.fetchOne(second[0], arguments: [2]) == nil)
        }
    }

    @Test("re-importing an id replaces the record in place; deleting removes it and its side rows")
    func replaceAndDelete() async throws {
        let data = SyntheticData(seed: 5, table: testPC4Table)
        try await withTemporaryStore { store, _ in
            var records = (0..<20).map(data.werkzoekende)
            #expect(try store.upsert(records) == SQLiteStore.UpsertCounts(inserted: 20, replaced: 0))
            // Record 7 moves to Utrecht and changes occupation.
            var moved = records[7]
            moved.matchingProfiel.mobiliteit.bemiddelingspostcode = try Postcode(validating: "3511AB")
            moved.matchingProfiel.bemiddelingsberoep = [
                Beroep(codeBeroepsnaam: try CompetentNLURI(validating: "https://example.nl/uniek"))
            ]
            #expect(try store.upsert([moved]) == SQLiteStore.UpsertCounts(inserted: 0, replaced: 1))
            records[7] = moved
            #expect(try store.count(.werkzoekenden) == 20)
            #expect(try await store.detail(moved.recordID, gegevensset: .werkzoekenden) == .werkzoekende(moved))

            let uniek =
                #"{"selectiegebied":{"postcode":"3511AB","afstand":0},"bemiddelingsberoep":{"$elemMatch":{"$or":[{"codeBeroepsnaam":{"$eq":"https://example.nl/uniek"}}]}}}"#
            let q = try storeEvaluator.prepare(Selectievraag(json: JSONValue.parse(uniek), gegevensset: .werkzoekenden))
            #expect(
                try await store.search(q, limit: 10, evaluator: storeEvaluator).matches == [moved.matchingProfiel.json])

            #expect(
                try store.delete([moved.recordID, try RecordID(validating: "not-there")], from: .werkzoekenden) == 1)
            #expect(try store.count(.werkzoekenden) == 19)
            #expect(try await store.detail(moved.recordID, gegevensset: .werkzoekenden) == nil)
            #expect(try await store.search(q, limit: 10, evaluator: storeEvaluator).matches.isEmpty)
            let orphans = try await store.pool.read { db in
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM werkzoekende_beroep WHERE rid NOT IN (SELECT rid FROM werkzoekende)")
            }
            #expect(orphans == 0)
        }
    }

    @Test("details come back whole, for both datasets")
    func details() async throws {
        let data = SyntheticData(seed: 6, table: testPC4Table)
        try await withTemporaryStore { store, _ in
            let w = (0..<30).map(data.werkzoekende)
            let v = (0..<30).map(data.vacature)
            try store.upsert(w)
            try store.upsert(v)
            for r in w { #expect(try await store.detail(r.recordID, gegevensset: .werkzoekenden) == .werkzoekende(r)) }
            for r in v { #expect(try await store.detail(r.recordID, gegevensset: .vacatures) == .vacature(r)) }
            // An id of the other dataset is not found.
            #expect(try await store.detail(w[0].recordID, gegevensset: .vacatures) == nil)
        }
    }

    @Test("a store of schema v1 gets the covering area index when opened, and answers as before")
    func upgradeFromV1() async throws {
        let data = SyntheticData(seed: 8, table: testPC4Table)
        let questions = SyntheticQuestions(seed: 8, table: testPC4Table)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bron.sqlite").path
        let prepared = try (0..<40).map {
            try storeEvaluator.prepare(Selectievraag(json: questions.werkzoekenden($0), gegevensset: .werkzoekenden))
        }
        let hours = try storeEvaluator.prepare(
            Selectievraag(
                json: JSONValue.parse("{\(Self.gebied),\"werktijden.aantalWerkurenPerWeekMaximaal\":{\"$gte\":24}}"),
                gegevensset: .werkzoekenden))
        var before: [Set<JSONValue>] = []
        do {
            let store = try SQLiteStore(path: path)
            _ = try store.upsert((0..<400).map(data.werkzoekende))
            for q in prepared {
                before.append(Set(try await store.search(q, limit: 100, evaluator: storeEvaluator).matches))
            }
        }
        // Back to the v1 schema: the narrow area indexes, and no record of the v2 migration.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            for table in ["werkzoekende", "vacature"] {
                try db.execute(sql: "DROP INDEX \(table)_by_pc4")
                try db.execute(sql: "CREATE INDEX \(table)_by_pc4 ON \(table)(pc4)")
            }
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v2%'")
        }
        try queue.close()
        let store = try SQLiteStore(path: path)
        #expect(
            try store.plan(hours, evaluator: storeEvaluator).contains {
                $0.contains("USING COVERING INDEX werkzoekende_by_pc4")
            })
        for (i, q) in prepared.enumerated() {
            #expect(
                Set(try await store.search(q, limit: 100, evaluator: storeEvaluator).matches) == before[i],
                "question \(i)")
        }
        #expect(before.contains { !$0.isEmpty })
    }

    @Test("a store that cannot be opened, or a file that is no store, is an error naming the file")
    func badFiles() async throws {
        #expect {
            try SQLiteStore(path: "/nonexistent-folder/bron.sqlite")
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.code == .cannotOpen && e.description.contains("/nonexistent-folder/bron.sqlite")
                && e.description.contains("the folder /nonexistent-folder does not exist")
        }
        // A folder given as the store, and a folder the adapter may not write to: said in those words.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            try SQLiteStore(path: folder.path)
        } throws: { error in
            "\(error)".contains("\(folder.path) is a folder, not a database file")
        }
        // A file where its folder should be (this one also runs as root, which the next one cannot).
        let plainFile = folder.appendingPathComponent("a-file").path
        try FileContents.write("x".utf8, to: plainFile)
        #expect {
            try SQLiteStore(path: plainFile + "/bron.sqlite")
        } throws: { error in
            "\(error)".contains("\(plainFile) is a file, not a folder")
        }
        if getuid() != 0 {
            try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: folder.path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path) }
            #expect {
                try SQLiteStore(path: folder.path + "/bron.sqlite")
            } throws: { error in
                "\(error)".contains("cannot create files in \(folder.path): Permission denied")
            }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-store-\(UUID().uuidString)")
        try Data("this is not a database, just text that is long enough to fill a header page".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            try SQLiteStore(path: file.path)
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return (e.code == .cannotOpen || e.code == .schema) && e.description.contains(file.path)
        }
    }
}
