import Foundation
import GRDB
import VUMExchange
import VUMStandaard

/// A zoekvraag as the aggregator remembers it after answering: who asked, what, until when its vumIDs
/// hold, which (bron, record) each match position stands for, and how many details were asked.
public struct ZoekvraagRecord: Sendable, Hashable {
    public var vraagID: String
    public var fromParty: OIN
    public var gegevensset: Gegevensset
    public var createdMs: Int64
    public var expiresMs: Int64
    /// Position in the answer → (bron, the bron's record id).
    public var matches: [MatchReference]

    public struct MatchReference: Sendable, Hashable {
        public var bron: BronID
        public var recordID: RecordID
    }
}

/// Where the aggregator keeps its request state. SQLite for one instance; the protocol is small so a
/// PostgreSQL implementation can let several aggregators share it (the vumID secret must then be shared).
public protocol RequestStore: Sendable {
    func save(_ record: ZoekvraagRecord) async throws
    func load(_ vraagID: String) async throws -> ZoekvraagRecord?
    /// Counts one more detail request for the zoekvraag and returns the new count, atomically.
    func countDetail(_ vraagID: String) async throws -> Int
    /// Removes zoekvragen whose vumIDs expired before `nowMs`; returns how many.
    func removeExpired(nowMs: Int64) async throws -> Int
    /// Returns when the store answers a trivial read; throws what is wrong otherwise (`/health`).
    func check() async throws
    /// Saves a zoekvraag copied from another store, with the detail requests it already counted; false, and
    /// nothing changed, when the store holds that vraagID already (``RequestStoreCopy``).
    func restore(_ record: ZoekvraagRecord, details: Int) async throws -> Bool
}

/// The request store failed: which store, what it was doing and why. The aggregator logs it and answers
/// the asker `500`.
public struct RequestStoreError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The request store in one SQLite file (GRDB, WAL).
public final class SQLiteRequestStore: RequestStore {
    let pool: DatabasePool
    public let path: String

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with synchronous NORMAL: a commit is not flushed to disk by itself (a checkpoint is), so
            // saving a zoekvraag costs no fsync on the answer's path; a power cut may lose the last few,
            // whose vumIDs then answer 404. The default (FULL) cost milliseconds per zoekvraag.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw RequestStoreError(
                "cannot open the request store \(path): \(DatabasePlace.explain(path, sqlite: "\(error)"))")
        }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE zoekvraag (
                        vraag_id TEXT PRIMARY KEY, from_party TEXT NOT NULL, gegevensset TEXT NOT NULL,
                        created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, details INTEGER NOT NULL DEFAULT 0,
                        matches TEXT NOT NULL)
                    """)
            try db.execute(sql: "CREATE INDEX zoekvraag_by_expiry ON zoekvraag(expires_ms)")
        }
        do { try migrator.migrate(pool) } catch {
            throw RequestStoreError("the request store \(path) is not one this vum-aggregator can use: \(error)")
        }
    }

    public func save(_ record: ZoekvraagRecord) async throws {
        _ = try await insert(record, details: 0, orIgnore: false)
    }

    public func restore(_ record: ZoekvraagRecord, details: Int) async throws -> Bool {
        try await insert(record, details: details, orIgnore: true)
    }

    private func insert(_ record: ZoekvraagRecord, details: Int, orIgnore: Bool) async throws -> Bool {
        let matches = JSONValue.array(
            record.matches.map {
                .array([.string($0.bron.rawValue), .string($0.recordID.rawValue)])
            }
        ).serialized()
        return try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT \(orIgnore ? "OR IGNORE " : "")INTO zoekvraag
                        (vraag_id, from_party, gegevensset, created_ms, expires_ms, details, matches)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.vraagID, record.fromParty.rawValue, record.gegevensset.rawValue, record.createdMs,
                    record.expiresMs, details, matches,
                ])
            return db.changesCount == 1
        }
    }

    public func load(_ vraagID: String) async throws -> ZoekvraagRecord? {
        try await pool.read { [path] db in
            try Row.fetchOne(db, sql: "SELECT * FROM zoekvraag WHERE vraag_id = ?", arguments: [vraagID])
                .map { try Self.record($0, in: path).record }
        }
    }

    /// Up to `limit` zoekvragen whose vumIDs still hold at `nowMs`, in vraagID order after `vraagID`, each with
    /// the detail requests it counted: what ``RequestStoreCopy`` reads, a batch at a time.
    public func unexpired(nowMs: Int64, after vraagID: String, limit: Int) async throws
        -> [(record: ZoekvraagRecord, details: Int)]
    {
        try await pool.read { [path] db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM zoekvraag WHERE expires_ms >= ? AND vraag_id > ? ORDER BY vraag_id LIMIT ?
                    """, arguments: [nowMs, vraagID, limit]
            ).map { try Self.record($0, in: path) }
        }
    }

    /// How many zoekvragen expired before `nowMs` (and are not removed yet).
    public func expiredCount(nowMs: Int64) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM zoekvraag WHERE expires_ms < ?", arguments: [nowMs]) ?? 0
        }
    }

    /// A row as this aggregator writes it; anything else is an error naming the store and the zoekvraag.
    private static func record(_ row: Row, in path: String) throws -> (record: ZoekvraagRecord, details: Int) {
        let vraagID: String = row["vraag_id"]
        do {
            return try record(row, vraagID)
        } catch {
            throw RequestStoreError("\(path): zoekvraag \(vraagID) is not as this aggregator writes it: \(error)")
        }
    }

    private static func record(_ row: Row, _ vraagID: String) throws -> (record: ZoekvraagRecord, details: Int) {
        let gegevensset: String = row["gegevensset"]
        guard let set = Gegevensset(rawValue: gegevensset) else {
            throw RequestStoreError("unknown gegevensset '\(gegevensset)'")
        }
        var matches: [ZoekvraagRecord.MatchReference] = []
        if case .array(let items) = try JSONValue.parse(row["matches"] as String) {
            for case .array(let pair) in items {
                guard pair.count == 2, case .string(let b) = pair[0], case .string(let r) = pair[1] else { continue }
                matches.append(.init(bron: try BronID(validating: b), recordID: try RecordID(validating: r)))
            }
        }
        let record = ZoekvraagRecord(
            vraagID: vraagID, fromParty: try OIN(validating: row["from_party"] as String),
            gegevensset: set, createdMs: row["created_ms"], expiresMs: row["expires_ms"],
            matches: matches)
        return (record, row["details"])
    }

    public func countDetail(_ vraagID: String) async throws -> Int {
        try await pool.write { db in
            try Int.fetchOne(
                db, sql: "UPDATE zoekvraag SET details = details + 1 WHERE vraag_id = ? RETURNING details",
                arguments: [vraagID]) ?? 0
        }
    }

    public func check() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM zoekvraag WHERE 0") }
    }

    public func removeExpired(nowMs: Int64) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM zoekvraag WHERE expires_ms < ?", arguments: [nowMs])
            return db.changesCount
        }
    }
}
