import Foundation
import GRDB
import VUMStandaard

/// A bron's records in one SQLite file: the embedded default store of `vum-adapter`.
///
/// Each record is kept whole (its detail JSON and its matching profile JSON) next to its searchable
/// fields in indexed columns and side tables, so one selectievraag is one indexed query; the evaluator of
/// VUMStandaard then checks every candidate exactly, so answers are those of the in-memory evaluator.
///
/// Built on GRDB: a `DatabasePool` gives concurrent readers (the adapter answers several questions at
/// once) beside one writer in WAL mode, and runs every call on its own dispatch queues, never on the
/// cooperative pool.
public final class SQLiteStore: Sendable {
    public let path: String
    let pool: DatabasePool
    /// The search query shapes each reader connection keeps compiled.
    let statements = StatementCacheAdmission(capacity: 128)

    /// Opens the store at `path`, creating it (and its schema) when it does not exist yet.
    public init(path: String) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "vum-store"
        configuration.prepareDatabase { db in
            // Reading through a memory map spares a system call per page: scans of an area were spending
            // more time copying pages out of the kernel than evaluating rows. SQLite caps the map at its
            // compile-time maximum (2 GiB in Debian's build); the pages are the operating system's cache,
            // shared by every connection and given back under memory pressure.
            try db.execute(sql: "PRAGMA mmap_size = 17179869184")
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError(
                .cannotOpen, path: path, "cannot open: \(DatabasePlace.explain(path, sqlite: Self.describe(error)))")
        }
        do {
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError(.schema, path: path, "is not a VUM store of this version: \(Self.describe(error))")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            for table in [StoreTable.werkzoekenden, .vacatures] {
                for statement in table.createStatements { try db.execute(sql: statement) }
            }
        }
        migrator.registerMigration("v2: covering area index") { db in
            for table in [StoreTable.werkzoekenden, .vacatures] {
                for statement in table.coveringAreaIndexStatements { try db.execute(sql: statement) }
            }
        }
        return migrator
    }

    // MARK: - Writing

    /// What an upsert did.
    public struct UpsertCounts: Sendable, Hashable {
        public var inserted = 0
        public var replaced = 0
    }

    /// Stores the records in one transaction; a record whose id is already stored is replaced in place
    /// (it keeps its position, so answers keep their order).
    @discardableResult
    public func upsert(_ records: [Werkzoekende]) throws(StoreError) -> UpsertCounts { try store(records) }

    @discardableResult
    public func upsert(_ records: [Vacature]) throws(StoreError) -> UpsertCounts { try store(records) }

    private func store<R: StorableRecord>(_ records: [R]) throws(StoreError) -> UpsertCounts {
        let table = R.storeTable
        return try write { db in
            var counts = UpsertCounts()
            let extraNames = table.extraColumns.map(\.name)
            let columns = ["id", "pc4", "onregelmatig", "kantoortijden", "uren_min", "uren_max"] + extraNames
            let updates = columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO \(table.name) (\(columns.joined(separator: ", ")))
                    VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
                    ON CONFLICT(id) DO UPDATE SET \(updates)
                    RETURNING rid
                    """)
            let existing = try db.cachedStatement(sql: "SELECT rid FROM \(table.name) WHERE id = ?")
            let clear = try table.sideTables.map { try db.cachedStatement(sql: "DELETE FROM \($0) WHERE rid = ?") }
            let whole = try db.cachedStatement(
                sql: "INSERT INTO \(table.records) (rid, completeness, profiel, detail) VALUES (?, ?, ?, ?)")
            let beroep = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO \(table.beroep) (rid, code, pc4) VALUES (?, ?, ?)")
            let contract = try db.cachedStatement(
                sql: "INSERT INTO \(table.contractvorm) (rid, arbeidscontract, overeenkomst) VALUES (?, ?, ?)")
            let rijbewijs = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO \(table.rijbewijs) (rid, code, pc4) VALUES (?, ?, ?)")
            let taal = try db.cachedStatement(
                sql: "INSERT INTO \(table.taal) (rid, taal, mondeling, schriftelijk, pc4) VALUES (?, ?, ?, ?, ?)")
            for record in records {
                let f = record.storedFields
                let id = record.recordID.rawValue
                if let old = try Int64.fetchOne(existing, arguments: [id]) {
                    counts.replaced += 1
                    for statement in clear { try statement.execute(arguments: [old]) }
                } else {
                    counts.inserted += 1
                }
                var values: [(any DatabaseValueConvertible)?] = [
                    id, f.pc4, f.onregelmatig, f.kantoortijden,
                    f.urenMinimaal, f.urenMaximaal,
                ]
                values += f.extra
                guard let rid = try Int64.fetchOne(upsert, arguments: StatementArguments(values)) else {
                    throw StoreError(.query, path: path, "storing record \(id) returned no row id")
                }
                try whole.execute(arguments: [
                    rid, record.completeness.score, record.matchingProfiel.json.serialized(),
                    record.json.serialized(),
                ])
                for code in f.beroepen { try beroep.execute(arguments: [rid, code, f.pc4]) }
                for c in f.contractvormen { try contract.execute(arguments: [rid, c.arbeidscontract, c.overeenkomst]) }
                for code in f.rijbewijzen { try rijbewijs.execute(arguments: [rid, code, f.pc4]) }
                for t in f.talen { try taal.execute(arguments: [rid, t.taal, t.mondeling, t.schriftelijk, f.pc4]) }
            }
            return counts
        }
    }

    /// Deletes the records with these ids; returns how many were stored.
    @discardableResult
    public func delete(_ ids: [RecordID], from gegevensset: Gegevensset) throws(StoreError) -> Int {
        let table = StoreTable.of(gegevensset)
        return try write { db in
            var deleted = 0
            let find = try db.cachedStatement(sql: "SELECT rid FROM \(table.name) WHERE id = ?")
            let clear = try ([table.name] + table.sideTables).map {
                try db.cachedStatement(sql: "DELETE FROM \($0) WHERE rid = ?")
            }
            for id in ids {
                guard let rid = try Int64.fetchOne(find, arguments: [id.rawValue]) else { continue }
                for statement in clear { try statement.execute(arguments: [rid]) }
                deleted += 1
            }
            return deleted
        }
    }

    // MARK: - Reading

    /// How many records of the dataset the store holds.
    public func count(_ gegevensset: Gegevensset) throws(StoreError) -> Int {
        let name = StoreTable.of(gegevensset).name
        return try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(name)") ?? 0 }
    }

    /// The outcome of a search, with what it cost.
    public struct SearchOutcome: Sendable {
        /// Matching profiles: all of them in stored order when they are at most `limit`, else the
        /// `limit` nearest (ties in stored order), exactly as `Evaluator.select`; each as the compact JSON
        /// the store holds (written on import from the validated profile), passed on without parsing.
        public var encodedMatches: [[UInt8]]
        /// The matches as trees (for checks).
        public var matches: [JSONValue] { encodedMatches.compactMap { try? JSONValue.parse($0) } }
        public var maximumAantalResultatenBereikt: Bool
        /// Rows the query returned (each checked by the evaluator).
        public var candidates: Int
        /// Candidates the evaluator refused: zero while the SQL says exactly what the evaluator says.
        public var refusedByEvaluator: Int
    }

    /// What the store does with each row its SQL returns.
    public enum RowCheck: Sendable {
        /// Answered as read: the SQL states every criterion exactly (SQLiteStoreTests compares it with the
        /// evaluator over hundreds of generated questions), the distance is that of the row's postcode area,
        /// and the stored JSON was validated on import. The adapter's path: decoding every candidate into its
        /// typed profile again cost 40% of an adapter's CPU per zoekvraag (Docs/benchmarks.md).
        case trustQuery
        /// Each row decoded into its typed profile and run through the evaluator as well; a corrupt row is an
        /// error, a row the evaluator refuses is counted in `refusedByEvaluator` and left out.
        case evaluate
    }

    /// Answers a prepared question from the store; `evaluator` (with the PC4 table) gives the areas and,
    /// with `check: .evaluate`, makes the exact check.
    public func search(
        _ q: Evaluator.PreparedQuestion, limit: Int, evaluator: Evaluator,
        check: RowCheck = .trustQuery
    ) async throws(StoreError) -> SearchOutcome {
        let areas = evaluator.areas(q)
        guard !areas.isEmpty, limit >= 0 else {
            return SearchOutcome(
                encodedMatches: [], maximumAantalResultatenBereikt: false, candidates: 0, refusedByEvaluator: 0)
        }
        let query = SearchQuery(
            table: StoreTable.of(q.vraag.gegevensset), criteria: q.vraag.criteria,
            areas: areas.map(\.pc4))
        let distances = areas.map(\.distance)
        let path = self.path
        let statements = self.statements
        do {
            return try await pool.read { db in
                let statement = try statements.statement(db, sql: query.sql)
                switch q.vraag.gegevensset {
                case .werkzoekenden:
                    return try Self.collect(
                        WerkzoekendeMatchingProfiel.self, statement, query, distances, q, evaluator,
                        check, limit, path)
                case .vacatures:
                    return try Self.collect(
                        VacatureMatchingProfiel.self, statement, query, distances, q, evaluator,
                        check, limit, path)
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.query, path: path, "search failed: \(Self.describe(error))")
        }
    }

    /// Reads candidates area by area, nearest first, and stops once more than `limit` matches are in hand
    /// and the next area lies farther than the last match: no unread row can be among the nearest. The
    /// order within an area does not matter (the final sort breaks ties by rowid); should the areas not
    /// arrive in order, it reads everything, which is slower but still right.
    private static func collect<P: VUMRecord & Matchable>(
        _: P.Type, _ statement: Statement, _ query: SearchQuery, _ distances: [Double],
        _ q: Evaluator.PreparedQuestion, _ evaluator: Evaluator, _ check: RowCheck, _ limit: Int, _ path: String
    ) throws -> SearchOutcome {
        var found: [(distance: Double, rid: Int64, json: [UInt8])] = []
        var candidates = 0
        var refused = 0
        var ordered = true
        var lastArea = -1
        // A record can come twice within an area when the driving side table holds two of its values.
        var seenInArea: Set<Int64> = []
        let rows = try Row.fetchCursor(statement, arguments: query.arguments)
        while let row = try rows.next() {
            let rid: Int64 = row[0]
            let area: Int = row[1]
            if area != lastArea {
                if area < lastArea { ordered = false }
                if ordered, found.count > limit, let farthest = found.last?.distance, distances[area] > farthest {
                    break
                }
                if ordered { seenInArea.removeAll(keepingCapacity: true) }
                lastArea = area
            }
            guard seenInArea.insert(rid).inserted else { continue }
            candidates += 1
            // The stored JSON's bytes as SQLite holds them: no String made and validated again, one copy.
            let json = try row.withUnsafeData(atIndex: 2) { data in data.map { [UInt8]($0) } ?? [] }
            var distance = distances[area]
            if check == .evaluate {
                do {
                    guard let exact = evaluator.match(try P(json: JSONValue.parse(json)), q) else {
                        refused += 1
                        continue
                    }
                    distance = exact
                } catch {
                    throw StoreError(
                        .corruptRecord, path: path, "stored record (rowid \(rid)) is no longer valid: \(error)")
                }
            }
            // The stored JSON is the profile's own compact encoding: answered as read, not parsed or encoded again.
            found.append((distance, rid, json))
        }
        let more = found.count > limit
        if more {
            found.sort { ($0.distance, $0.rid) < ($1.distance, $1.rid) }
            found.removeLast(found.count - limit)
        } else {
            found.sort { $0.rid < $1.rid }
        }
        return SearchOutcome(
            encodedMatches: found.map(\.json), maximumAantalResultatenBereikt: more, candidates: candidates,
            refusedByEvaluator: refused)
    }

    /// The stored record with this id, or `nil`.
    public func detail(_ id: RecordID, gegevensset: Gegevensset) async throws(StoreError) -> DetailRecord? {
        let table = StoreTable.of(gegevensset)
        let path = self.path
        let text: String?
        do {
            text = try await pool.read { db in
                try String.fetchOne(
                    db,
                    sql: "SELECT j.detail FROM \(table.name) r JOIN \(table.records) j ON j.rid = r.rid WHERE r.id = ?",
                    arguments: [id.rawValue])
            }
        } catch {
            throw StoreError(.query, path: path, "detail lookup failed: \(Self.describe(error))")
        }
        guard let text else { return nil }
        do {
            let json = try JSONValue.parse(text)
            switch gegevensset {
            case .werkzoekenden: return .werkzoekende(try Werkzoekende(json: json))
            case .vacatures: return .vacature(try Vacature(json: json))
            }
        } catch {
            throw StoreError(.corruptRecord, path: path, "stored record \(id) is no longer valid: \(error)")
        }
    }

    // MARK: - Plumbing

    private func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.query, path: path, "update failed: \(Self.describe(error))")
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw StoreError(.query, path: path, "read failed: \(Self.describe(error))")
        }
    }

    /// The query plan SQLite picks for a question, for tests and `EXPLAIN`-minded operators.
    func plan(_ q: Evaluator.PreparedQuestion, evaluator: Evaluator) throws -> [String] {
        let query = SearchQuery(
            table: StoreTable.of(q.vraag.gegevensset), criteria: q.vraag.criteria,
            areas: evaluator.areas(q).map(\.pc4))
        return try pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments).map {
                $0["detail"]
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }
}
