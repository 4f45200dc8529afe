import Logging
import PostgresNIO
import VUMConfiguration
import VUMExchange
import VUMStandaard

/// The request store in a PostgreSQL database, so that several aggregators share the load
/// (ARCHITECTURE.md section 8): a vumID issued by one resolves at every other that uses the same database
/// and the same vumID secret, and the detail limit counts the detail requests all of them forwarded
/// (one `UPDATE … RETURNING` per request, atomic in the database).
///
/// Every operation is bounded by `timeout`: postgres-nio's pool waits for a connection as long as it is
/// asked to, and a database that went away must make the asker's request fail (`500`) in time, not hang.
/// The caller owns the `PostgresClient` and runs it (`client.run()`) for as long as the store is used.
public final class PostgresRequestStore: RequestStore {
    let client: PostgresClient
    /// Where the store is, for errors (``PostgresServer/address``: never the password).
    public let address: String
    let timeout: Duration
    let logger: Logger
    /// The most expired zoekvragen one statement removes (``removeExpired(nowMs:)``).
    let removalBatch: Int

    /// Creates the table when it is missing. Aggregators that start together take an advisory lock for it,
    /// so exactly one of them creates it.
    public convenience init(
        client: PostgresClient, address: String, timeout: Duration = .seconds(2),
        logger: Logger = Logger(label: "vum.aggregator.request-store")
    ) async throws {
        self.init(tableExists: client, address: address, timeout: timeout, logger: logger)
        try await bounded("creating its table") { [logger] in
            try await client.withTransaction(logger: logger) { connection in
                // The key is any constant of this program: it only serialises the aggregators' own start-ups.
                try await connection.query("SELECT pg_advisory_xact_lock(7281944003)", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS vum_zoekvraag (
                        vraag_id text PRIMARY KEY, from_party text NOT NULL, gegevensset text NOT NULL,
                        created_ms bigint NOT NULL, expires_ms bigint NOT NULL, details integer NOT NULL DEFAULT 0,
                        bronnen text[] NOT NULL, record_ids text[] NOT NULL)
                    """, logger: logger)
                try await connection.query(
                    "CREATE INDEX IF NOT EXISTS vum_zoekvraag_by_expiry ON vum_zoekvraag (expires_ms)", logger: logger)
            }
        }
    }

    /// A store on a database whose table another store already created: the tests use it to bound the
    /// operations tightly without bounding the table's creation as tightly.
    init(
        tableExists client: PostgresClient, address: String, timeout: Duration, logger: Logger,
        removalBatch: Int = 1_000
    ) {
        self.client = client
        self.address = address
        self.timeout = timeout
        self.logger = logger
        self.removalBatch = removalBatch
    }

    public func save(_ record: ZoekvraagRecord) async throws {
        let bronnen = record.matches.map(\.bron.rawValue)
        let ids = record.matches.map(\.recordID.rawValue)
        try await bounded("saving zoekvraag \(record.vraagID)") { [client, logger] in
            try await client.query(
                """
                INSERT INTO vum_zoekvraag
                    (vraag_id, from_party, gegevensset, created_ms, expires_ms, bronnen, record_ids)
                VALUES (\(record.vraagID), \(record.fromParty.rawValue), \(record.gegevensset.rawValue),
                        \(record.createdMs), \(record.expiresMs), \(bronnen), \(ids))
                """, logger: logger
            ).drain()
        }
    }

    public func restore(_ record: ZoekvraagRecord, details: Int) async throws -> Bool {
        let bronnen = record.matches.map(\.bron.rawValue)
        let ids = record.matches.map(\.recordID.rawValue)
        let details = Int32(clamping: details)
        return try await bounded("restoring zoekvraag \(record.vraagID)") { [client, logger] in
            let rows = try await client.query(
                """
                INSERT INTO vum_zoekvraag
                    (vraag_id, from_party, gegevensset, created_ms, expires_ms, details, bronnen, record_ids)
                VALUES (\(record.vraagID), \(record.fromParty.rawValue), \(record.gegevensset.rawValue),
                        \(record.createdMs), \(record.expiresMs), \(details), \(bronnen), \(ids))
                ON CONFLICT (vraag_id) DO NOTHING RETURNING 1
                """, logger: logger)
            var inserted = false
            for try await _ in rows.decode(Int32.self) { inserted = true }
            return inserted
        }
    }

    public func load(_ vraagID: String) async throws -> ZoekvraagRecord? {
        let row = try await bounded("reading zoekvraag \(vraagID)") { [client, logger] in
            let rows = try await client.query(
                """
                SELECT from_party, gegevensset, created_ms, expires_ms, bronnen, record_ids
                FROM vum_zoekvraag WHERE vraag_id = \(vraagID)
                """, logger: logger)
            var found: (String, String, Int64, Int64, [String], [String])?
            for try await columns in rows.decode((String, String, Int64, Int64, [String], [String]).self) {
                found = columns
            }
            return found
        }
        guard let (party, gegevensset, createdMs, expiresMs, bronnen, ids) = row else { return nil }
        guard let set = Gegevensset(rawValue: gegevensset), bronnen.count == ids.count else {
            throw RequestStoreError("zoekvraag \(vraagID) in \(address) is not as this aggregator writes it")
        }
        let matches = try zip(bronnen, ids).map {
            ZoekvraagRecord.MatchReference(bron: try BronID(validating: $0), recordID: try RecordID(validating: $1))
        }
        return ZoekvraagRecord(
            vraagID: vraagID, fromParty: try OIN(validating: party), gegevensset: set,
            createdMs: createdMs, expiresMs: expiresMs, matches: matches)
    }

    public func countDetail(_ vraagID: String) async throws -> Int {
        try await bounded("counting a detail of zoekvraag \(vraagID)") { [client, logger] in
            let rows = try await client.query(
                "UPDATE vum_zoekvraag SET details = details + 1 WHERE vraag_id = \(vraagID) RETURNING details",
                logger: logger)
            var count = 0
            for try await details in rows.decode(Int32.self) { count = Int(details) }
            return count
        }
    }

    /// Removes in batches of ``removalBatch`` rows, each bounded by `timeout` on its own: the database ends
    /// a statement that runs past the timeout (``PostgresServer/statementTimeout``), so one statement that
    /// removed everything expired since the last run could be cancelled every time and remove nothing.
    public func removeExpired(nowMs: Int64) async throws -> Int {
        var removed = 0
        while true {
            let batch = try await bounded("removing expired zoekvragen") { [client, logger, removalBatch] in
                let rows = try await client.query(
                    """
                    WITH removed AS (
                        DELETE FROM vum_zoekvraag WHERE vraag_id IN (
                            SELECT vraag_id FROM vum_zoekvraag WHERE expires_ms < \(nowMs) LIMIT \(removalBatch))
                        RETURNING 1)
                    SELECT count(*) FROM removed
                    """, logger: logger)
                var count = 0
                for try await n in rows.decode(Int64.self) { count = Int(n) }
                return count
            }
            removed += batch
            if batch < removalBatch { return removed }
        }
    }

    public func check() async throws {
        try await bounded("checking its table") { [client, logger] in
            try await client.query("SELECT count(*) FROM vum_zoekvraag WHERE false", logger: logger).drain()
        }
    }

    /// Runs `body` for at most `timeout`; a database error or the timeout becomes a ``RequestStoreError``
    /// that names the store, what was being done and what went wrong.
    private func bounded<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        let value: T?
        do { value = try await withTimeLimit(timeout, body) } catch {
            throw RequestStoreError("\(address): \(what) failed: \(PostgresServer.describe(error))")
        }
        guard let value else {
            throw RequestStoreError("\(address): \(what) took longer than \(timeout); is the database up?")
        }
        return value
    }
}

extension PostgresRowSequence {
    /// Reads to the end, so an error the server reports after the first message is thrown here too.
    func drain() async throws {
        for try await _ in self {}
    }
}
