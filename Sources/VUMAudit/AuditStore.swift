import Foundation
import GRDB
import VUMExchange
import VUMStandaard

/// One message as it came off the queue, for ``AuditStore/append(_:)``.
public struct ReceivedEvent: Sendable {
    public var body: Data
    /// Where it came from, kept with a quarantined message: message id, routing key, redelivered.
    public var messageID: String?
    public var routingKey: String
    /// A problem found before the body was read (e.g. the message's `type` is not a procesgebeurtenis):
    /// the message goes to quarantine with this reason.
    public var problem: String?

    public init(body: Data, messageID: String? = nil, routingKey: String = "", problem: String? = nil) {
        self.body = body
        self.messageID = messageID
        self.routingKey = routingKey
        self.problem = problem
    }
}

/// What became of one received message. Every outcome is durable when ``AuditStore/append(_:)`` returns,
/// so the message may be acknowledged.
public enum AppendOutcome: Sendable, Hashable {
    /// Chained in at this sequence number.
    case stored(seq: Int64)
    /// The same event (same id, same canonical content) was stored before: a redelivery.
    case duplicate(seq: Int64)
    /// Not readable as a procesgebeurtenis, or an id already stored with other content: kept with its raw
    /// bytes and the reason in the quarantine table.
    case quarantined(reason: String)
}

/// The audit trail in one SQLite file: an append-only table of events, each chained to the one before by
/// SHA-256 (``ChainHash``), periodic checkpoints of the chain, and a quarantine of what could not be read.
///
/// Append-only is enforced twice: triggers refuse `UPDATE` and `DELETE` through SQLite, and anything that
/// goes around them (another tool, the file edited by hand) breaks the chain, which ``verify()`` reports.
/// Commits are synchronous (WAL, `synchronous = FULL`): when `append` returns, the events survive a crash
/// or a power cut, and only then does the daemon acknowledge them to the broker.
public final class AuditStore: Sendable {
    let pool: DatabasePool
    public let path: String
    /// A checkpoint (sequence number and chain hash) is written every this many events.
    public let checkpointInterval: Int64

    public init(path: String, checkpointInterval: Int64 = 10_000, readOnly: Bool = false) throws {
        self.path = path
        self.checkpointInterval = max(1, checkpointInterval)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.readonly = readOnly
        configuration.prepareDatabase { db in
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        if readOnly, !FileManager.default.fileExists(atPath: path) {
            throw AuditError("no audit store at \(path)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw AuditError("cannot open the audit store \(path): \(DatabasePlace.explain(path, sqlite: "\(error)"))")
        }
        do {
            if !readOnly { try Self.migrator.migrate(pool) }
        } catch {
            throw AuditError("the audit store \(path) is not one this vum-audit can use: \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE event (
                        seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, soort TEXT NOT NULL,
                        tijd_ms INTEGER NOT NULL, vraag_id TEXT, from_party TEXT, bron_id TEXT,
                        body TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL, stored_ms INTEGER NOT NULL);
                    CREATE INDEX event_by_time ON event(tijd_ms);
                    CREATE TABLE checkpoint (
                        seq INTEGER PRIMARY KEY, hash BLOB NOT NULL, made_ms INTEGER NOT NULL);
                    CREATE TABLE quarantine (
                        id INTEGER PRIMARY KEY, received_ms INTEGER NOT NULL, reason TEXT NOT NULL,
                        message_id TEXT, routing_key TEXT NOT NULL, raw BLOB NOT NULL);
                    """)
            for table in ["event", "checkpoint", "quarantine"] {
                for action in ["UPDATE", "DELETE"] {
                    try db.execute(
                        sql: """
                            CREATE TRIGGER \(table)_no_\(action.lowercased()) BEFORE \(action) ON \(table)
                            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
                            """)
                }
            }
        }
        return migrator
    }

    /// Stores a batch in one transaction and returns an outcome per message, in order.
    public func append(_ batch: [ReceivedEvent]) async throws -> [AppendOutcome] {
        let checkpointInterval = checkpointInterval
        return try await pool.write { db in try Self.append(batch, db: db, checkpointInterval: checkpointInterval) }
    }

    /// The same, for callers that are not async (imports, benchmarks); never on the cooperative pool.
    public func appendSynchronously(_ batch: [ReceivedEvent]) throws -> [AppendOutcome] {
        try pool.write { db in try Self.append(batch, db: db, checkpointInterval: checkpointInterval) }
    }

    static func append(_ batch: [ReceivedEvent], db: Database, checkpointInterval: Int64) throws -> [AppendOutcome] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var (seq, previous): (Int64, [UInt8]) = (0, ChainHash.genesis)
        if let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1") {
            seq = row["seq"]
            previous = [UInt8](row["hash"] as Data)
        }
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(batch.count)
        for received in batch {
            func quarantine(_ reason: String) throws {
                try db.execute(
                    sql: """
                        INSERT INTO quarantine (received_ms, reason, message_id, routing_key, raw) VALUES (?, ?, ?, ?, ?)
                        """, arguments: [now, reason, received.messageID, received.routingKey, received.body])
                outcomes.append(.quarantined(reason: reason))
            }
            if let problem = received.problem {
                try quarantine(problem)
                continue
            }
            let event: Procesgebeurtenis
            let canonical: [UInt8]
            do {
                // Parsed once: the event is read from, and the chain covers, the same JSON value.
                guard received.body.count <= MessageCodec.defaultMaximumSize else {
                    throw AuditError(
                        "\(received.body.count) bytes; at most \(MessageCodec.defaultMaximumSize) are accepted")
                }
                let json = try JSONValue.parse(received.body)
                event = try Procesgebeurtenis(json: json)
                canonical = CanonicalJSON.bytes(json)
            } catch {
                try quarantine("undecodable: \(error)")
                continue
            }
            let lookup = try db.cachedStatement(sql: "SELECT seq, body FROM event WHERE event_id = ?")
            if let existing = try Row.fetchOne(lookup, arguments: [event.eventID]) {
                let body: String = existing["body"]
                if Array(body.utf8) == canonical {
                    outcomes.append(.duplicate(seq: existing["seq"]))
                } else {
                    try quarantine(
                        "eventID \(event.eventID) is already stored (seq \(existing["seq"] as Int64)) with other content"
                    )
                }
                continue
            }
            seq += 1
            let hash = ChainHash.next(previous: previous, seq: seq, canonical: canonical)
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO event (seq, event_id, soort, tijd_ms, vraag_id, from_party, bron_id, body, prev_hash, hash, stored_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            try insert.execute(arguments: [
                seq, event.eventID, event.soort.rawValue, event.tijdMs, event.vraagID, event.fromParty,
                event.bronID, String(decoding: canonical, as: UTF8.self), Data(previous), Data(hash), now,
            ])
            if seq % checkpointInterval == 0 {
                try db.execute(
                    sql: "INSERT INTO checkpoint (seq, hash, made_ms) VALUES (?, ?, ?)",
                    arguments: [seq, Data(hash), now])
            }
            previous = hash
            outcomes.append(.stored(seq: seq))
        }
        return outcomes
    }

    /// Events and quarantined messages held.
    public func counts() throws -> (events: Int, quarantined: Int, checkpoints: Int) {
        try pool.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM event") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM checkpoint") ?? 0
            )
        }
    }

    /// The quarantined messages, oldest first.
    public func quarantined() throws -> [(receivedMs: Int64, reason: String, routingKey: String, raw: Data)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT received_ms, reason, routing_key, raw FROM quarantine ORDER BY id").map {
                ($0["received_ms"], $0["reason"], $0["routing_key"], $0["raw"])
            }
        }
    }

    /// Calls `body` with every stored event whose time lies in the range, in chain order. The event is
    /// decoded from the very bytes the chain covers, so what a report counts is what ``verify()`` proves.
    public func forEachEvent(
        fromMs: Int64 = .min, toMs: Int64 = .max,
        _ body: (StoredEvent) throws -> Void
    ) throws {
        try pool.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT seq, body FROM event WHERE tijd_ms >= ? AND tijd_ms < ? ORDER BY seq
                    """, arguments: [fromMs, toMs])
            while let row = try rows.next() {
                let text: String = row["body"]
                let json = try JSONValue.parse(text)
                try body(StoredEvent(seq: row["seq"], event: try Procesgebeurtenis(json: json), json: json))
            }
        }
    }
}

/// An event as the store holds it: its place in the chain, the decoded event and its full canonical JSON
/// (which keeps fields the current model does not know, for the rules check).
public struct StoredEvent: Sendable {
    public var seq: Int64
    public var event: Procesgebeurtenis
    public var json: JSONValue
}

public struct AuditError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
