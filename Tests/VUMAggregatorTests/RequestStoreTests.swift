import Foundation
import Logging
import PostgresNIO
import Testing
import VUMConfiguration
import VUMExchange
import VUMStandaard
import VUMTesting

@testable import VUMAggregator

/// A zoekvraag of `matches` references spread over three bronnen.
func zoekvraagRecord(_ vraagID: String, matches: Int, expiresMs: Int64 = 2_000_000_000_000) throws -> ZoekvraagRecord {
    let bronnen = [bronA, bronB, bronC]
    return ZoekvraagRecord(
        vraagID: vraagID, fromParty: try OIN(validating: "00000001111111111111"), gegevensset: .vacatures,
        createdMs: 1_700_000_000_123, expiresMs: expiresMs,
        matches: try (0..<matches).map {
            .init(bron: bronnen[$0 % 3], recordID: try RecordID(validating: "rec-\($0).x_Y"))
        })
}

/// What every request store must do, whichever database holds it.
func checkRequestStore(_ store: any RequestStore) async throws {
    try await store.check()
    let full = try zoekvraagRecord("vraag-full", matches: 250)
    let empty = try zoekvraagRecord("vraag-empty", matches: 0)
    try await store.save(full)
    try await store.save(empty)
    #expect(try await store.load("vraag-full") == full)
    #expect(try await store.load("vraag-empty") == empty)
    #expect(try await store.load("vraag-unknown") == nil)
    // A vraagID is saved once: a second save is an error, not an overwrite of the first one's vumIDs.
    await #expect(throws: (any Error).self) { try await store.save(try zoekvraagRecord("vraag-full", matches: 1)) }
    #expect(try await store.load("vraag-full") == full)

    // Detail requests counted atomically: 30 at once get 1...30, each number once.
    let counts = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<30 { group.addTask { try await store.countDetail("vraag-full") } }
        return try await group.reduce(into: [Int]()) { $0.append($1) }
    }
    #expect(counts.sorted() == Array(1...30))
    #expect(try await store.countDetail("vraag-empty") == 1)
    #expect(try await store.countDetail("vraag-unknown") == 0)

    // A zoekvraag copied from another store keeps its detail count; one the store holds already stays as it is.
    let copied = try zoekvraagRecord("vraag-copied", matches: 4)
    #expect(try await store.restore(copied, details: 7))
    #expect(try await store.load("vraag-copied") == copied)
    #expect(try await store.countDetail("vraag-copied") == 8)
    #expect(try await store.restore(try zoekvraagRecord("vraag-copied", matches: 1), details: 0) == false)
    #expect(try await store.load("vraag-copied") == copied)
    #expect(try await store.countDetail("vraag-copied") == 9)

    // Only what expired before `nowMs` goes.
    try await store.save(try zoekvraagRecord("vraag-old", matches: 3, expiresMs: 1_000))
    try await store.save(try zoekvraagRecord("vraag-edge", matches: 3, expiresMs: 5_000))
    #expect(try await store.removeExpired(nowMs: 5_000) == 1)
    #expect(try await store.load("vraag-old") == nil)
    #expect(try await store.load("vraag-edge") != nil)
    #expect(try await store.removeExpired(nowMs: 5_001) == 1)
    #expect(try await store.load("vraag-full") == full)
}

/// postgres-nio logs every failed connection attempt at `info`; the tests that stop the database expect them.
let quietLogger: Logger = {
    var logger = Logger(label: "test.request-store")
    logger.logLevel = .error
    return logger
}()

/// A private PostgreSQL cluster and a running client on its `postgres` database, as an aggregator opens it.
func withPostgresStoreClient<T>(
    statementTimeout: Duration? = nil, _ body: (PrivatePostgres, PostgresServer, PostgresClient) async throws -> T
) async throws -> T {
    try await PrivatePostgres.with(name: "requests") { cluster in
        let server = PostgresServer(
            host: "127.0.0.1", port: try cluster.port(), database: "postgres", user: "vum",
            statementTimeout: statementTimeout, applicationName: "vum-aggregator")
        let client = server.makeClient(logger: quietLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(cluster, server, client)
        }
    }
}

@Suite("Request stores: SQLite for one aggregator, PostgreSQL shared by several", .serialized)
struct RequestStoreTests {
    @Test("SQLite keeps, counts and forgets zoekvragen")
    func sqlite() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-requests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await checkRequestStore(try SQLiteRequestStore(path: folder.appendingPathComponent("r.sqlite").path))
    }

    @Test(
        "PostgreSQL does the same; two aggregators that start together share one table and one detail count",
        .timeLimit(.minutes(3)))
    func postgres() async throws {
        try await withPostgresStoreClient { cluster, server, client in
            // Two aggregators' pools on one database, their stores opened at the same moment (the table is made once).
            let other = server.makeClient(logger: quietLogger)
            let otherRun = Task { await other.run() }
            defer { otherRun.cancel() }
            async let first = PostgresRequestStore(client: client, address: server.address)
            async let second = PostgresRequestStore(client: other, address: server.address)
            let (a, b) = try await (first, second)
            try await checkRequestStore(a)

            // What one saved and counted, the other reads and counts on.
            #expect(try await b.load("vraag-full") == (try zoekvraagRecord("vraag-full", matches: 250)))
            #expect(try await b.countDetail("vraag-full") == 31)
            #expect(try await a.countDetail("vraag-full") == 32)
            let tables = try await cluster.psql(
                "SELECT count(*) FROM pg_tables WHERE tablename = 'vum_zoekvraag'",
                arguments: ["-tA"])
            #expect(tables.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            // Opening again finds the table and keeps what is in it.
            let reopened = try await PostgresRequestStore(client: client, address: server.address)
            #expect(try await reopened.load("vraag-full") != nil)

            // Expired zoekvragen go in batches (each one statement under the timeout), all of them.
            let batched = PostgresRequestStore(
                tableExists: client, address: server.address, timeout: .seconds(30), logger: quietLogger,
                removalBatch: 5)
            for i in 0..<12 {
                try await batched.save(try zoekvraagRecord("vraag-expired-\(i)", matches: 2, expiresMs: 10))
            }
            #expect(try await batched.removeExpired(nowMs: 11) == 12)
            #expect(try await batched.load("vraag-expired-11") == nil)
            #expect(try await batched.load("vraag-full") != nil)
            #expect(try await batched.removeExpired(nowMs: 11) == 0)
        }
    }

    @Test(
        "copy-store: a SQLite store's unexpired zoekvragen into PostgreSQL, in batches, with their detail counts; again copies nothing",
        .timeLimit(.minutes(3)))
    func copy() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try SQLiteRequestStore(path: folder.appendingPathComponent("old.sqlite").path)
        // More than two batches of 5, three of them expired, some with details counted.
        for i in 0..<13 {
            try await source.save(
                try zoekvraagRecord("vraag-\(i)", matches: i, expiresMs: i < 3 ? 1_000 : 2_000_000_000_000))
        }
        for _ in 0..<4 { _ = try await source.countDetail("vraag-5") }
        try await withPostgresStoreClient { _, server, client in
            let target = try await PostgresRequestStore(client: client, address: server.address)
            // One the target issued itself under the same vraagID stays as it is.
            try await target.save(try zoekvraagRecord("vraag-12", matches: 1))
            var batches = 0
            let outcome = try await RequestStoreCopy.copy(from: source, to: target, nowMs: 5_000, batchSize: 5) { _ in
                batches += 1
            }
            #expect(outcome == .init(copied: 9, alreadyThere: 1, expired: 3))
            #expect(batches == 2)
            for i in 3..<12 {
                #expect(try await target.load("vraag-\(i)") == (try zoekvraagRecord("vraag-\(i)", matches: i)))
            }
            #expect(try await target.load("vraag-12") == (try zoekvraagRecord("vraag-12", matches: 1)))
            #expect(try await target.load("vraag-1") == nil)
            #expect(try await target.countDetail("vraag-5") == 5)
            #expect(try await target.countDetail("vraag-6") == 1)
            let again = try await RequestStoreCopy.copy(from: source, to: target, nowMs: 5_000, batchSize: 5)
            #expect(again == .init(copied: 0, alreadyThere: 10, expired: 3))
        }
    }

    /// A store with a 1 s bound on each operation, over a table that holds zoekvraag `vraagID` (2 matches).
    /// Set up with room to spare: beside the parallel tests the first connection and the table can take over
    /// a second (CI saw it). Only the operations under test have the short bound.
    func storeWithOneSaved(_ vraagID: String, _ client: PostgresClient, _ server: PostgresServer) async throws
        -> PostgresRequestStore
    {
        let setup = try await PostgresRequestStore(client: client, address: server.address, timeout: .seconds(30))
        try await setup.save(try zoekvraagRecord(vraagID, matches: 2))
        return PostgresRequestStore(
            tableExists: client, address: server.address, timeout: .seconds(1), logger: setup.logger)
    }

    @Test(
        "a PostgreSQL store that went away fails each operation in bounded time, naming the store and what it did",
        .timeLimit(.minutes(3)))
    func postgresGone() async throws {
        try await withPostgresStoreClient { cluster, server, client in
            let store = try await storeWithOneSaved("vraag-before", client, server)
            try await cluster.stop()
            for attempt in 0..<2 {
                do {
                    _ = try await store.load("vraag-before")
                    Issue.record("attempt \(attempt): a load from a stopped database did not fail")
                } catch let error as RequestStoreError {
                    #expect(
                        error.description.hasPrefix("\(server.address): reading zoekvraag vraag-before "),
                        "\(error)")
                }
            }
            await #expect(throws: RequestStoreError.self) { try await store.countDetail("vraag-before") }
            await #expect(throws: RequestStoreError.self) { try await store.check() }
            // Back again: the pool reconnects and what was saved is still there.
            try await cluster.start()
            var loaded: ZoekvraagRecord?
            for _ in 0..<100 where loaded == nil {
                loaded = try? await store.load("vraag-before")
                if loaded == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(loaded == (try zoekvraagRecord("vraag-before", matches: 2)))
        }
    }

    @Test(
        "a PostgreSQL store whose table another session has locked fails in bounded time, not when the lock goes; the database ends the statement"
    )
    func postgresLocked() async throws {
        // As the daemon sets it up (RequestStoreSettings): the database ends what the store gave up on.
        try await withPostgresStoreClient(statementTimeout: .seconds(1)) { cluster, server, client in
            let shown = try await client.query("SHOW statement_timeout", logger: quietLogger).decode(String.self)
            var values: [String] = []
            for try await value in shown { values.append(value) }
            #expect(values == ["1s"])
            let store = try await storeWithOneSaved("vraag-locked", client, server)
            let lock = try await cluster.holdLock(on: "vum_zoekvraag")
            let started = ContinuousClock.now
            do {
                _ = try await store.load("vraag-locked")
                Issue.record("a load from a locked table succeeded after \(ContinuousClock.now - started)")
            } catch let error as RequestStoreError {
                // The store's time limit and the database's statement timeout end together; either may say so.
                #expect(
                    error.description.contains("reading zoekvraag vraag-locked took longer than 1.0 seconds")
                        || error.description.contains(
                            "reading zoekvraag vraag-locked failed: SQLSTATE 57014: canceling statement due to statement timeout"
                        ), "\(error)")
            }
            // It failed while the table was still locked: the store did not wait for the lock to go.
            #expect(try await lock.isHeld(), "failed only after \(ContinuousClock.now - started), when the lock went")
            // And the database ended the statement, freeing its connection, while the lock is still held.
            #expect(
                try await lock.waiting(after: .seconds(5)) == 0,
                "the given-up load still waits for the lock in the database")
            #expect(try await lock.isHeld())
            try await lock.release()
            #expect(try await store.load("vraag-locked") == (try zoekvraagRecord("vraag-locked", matches: 2)))
        }
    }
}
