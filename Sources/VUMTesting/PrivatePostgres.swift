import Foundation

/// A PostgreSQL cluster of a test's own, run through `scripts/postgres.sh` (never a system cluster): its
/// data folder, port and socket under the test run's temporary folder, trust login for the superuser `vum`
/// on 127.0.0.1. Start-up takes a few seconds: start one per suite.
public struct PrivatePostgres: Sendable {
    public let directory: String
    public let script: String

    public init(name: String, sourceFile: String = #filePath) throws {
        script = try RepositoryScript.path("postgres.sh", above: sourceFile)
        directory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("vum-test-pg-\(name)-\(UUID().uuidString.prefix(8))").path
    }

    public func start() async throws { try await run(["start", "--dir", directory]) }
    public func stop() async throws { try await run(["stop", "--dir", directory]) }

    /// Starts a cluster, runs `body`, and stops the cluster and removes its files however `body` ends.
    public static func with<T>(
        name: String, sourceFile: String = #filePath,
        _ body: (PrivatePostgres) async throws -> T
    ) async throws -> T {
        let cluster = try PrivatePostgres(name: name, sourceFile: sourceFile)
        try await cluster.start()
        do {
            let result = try await body(cluster)
            try? await cluster.stop()
            try? FileManager.default.removeItem(atPath: cluster.directory)
            return result
        } catch {
            try? await cluster.stop()
            try? FileManager.default.removeItem(atPath: cluster.directory)
            throw error
        }
    }

    /// The port it listens on (127.0.0.1).
    public func port() throws -> Int {
        let text = try String(contentsOfFile: directory + "/port", encoding: .utf8)
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw InboxError("\(directory)/port holds no port")
        }
        return port
    }

    /// Runs SQL through psql (`ON_ERROR_STOP`); returns what psql printed.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres", arguments: [String] = []) async throws -> String {
        let file = directory + "/script-\(UUID().uuidString.prefix(8)).sql"
        try sql.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return try await run(["psql", "--dir", directory, "--", "-d", database, "-f", file] + arguments)
    }

    /// Locks `table` (`ACCESS EXCLUSIVE`, so even a plain read waits) from a session of its own, for at
    /// most a minute, and returns once the lock is held. ``PostgresLock/release()`` ends it sooner.
    public func holdLock(on table: String) async throws -> PostgresLock {
        // The session gives up after 10 s behind another lock, and at once on a table that is not there.
        let session = Task {
            try await psql(
                "SET lock_timeout = '10s'; BEGIN; LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE;"
                    + " SELECT pg_sleep(60); COMMIT;")
        }
        let lock = PostgresLock(cluster: self, table: table, session: session)
        for _ in 0..<100 {
            if try await lock.isHeld() { return lock }
            try await Task.sleep(for: .milliseconds(100))
        }
        do { _ = try await session.value } catch { throw InboxError("could not lock \(table): \(error)") }
        throw InboxError("\(table) was not locked within 10 s")
    }

    @discardableResult
    private func run(_ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run("/bin/bash", [script] + arguments)
        guard result.status == 0 else {
            throw InboxError(
                "scripts/postgres.sh \(arguments.prefix(3).joined(separator: " ")) failed (\(result.status)): \(result.output)"
            )
        }
        return result.output
    }
}

/// A table lock held by a session of a ``PrivatePostgres`` cluster (``PrivatePostgres/holdLock(on:)``).
public struct PostgresLock: Sendable {
    let cluster: PrivatePostgres
    let table: String
    let session: Task<String, any Error>

    private var granted: String {
        "\(onTable) AND l.mode = 'AccessExclusiveLock' AND l.granted"
    }

    private var onTable: String {
        let name = table.split(separator: ".").last.map(String.init) ?? table
        return "FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '\(name)'"
    }

    /// Whether the session still holds the lock.
    public func isHeld() async throws -> Bool {
        try await count("SELECT count(*) \(granted);") > 0
    }

    /// How many other sessions wait for a lock on the table: statements stuck behind this one.
    public func waiting() async throws -> Int {
        try await count("SELECT count(DISTINCT l.pid) \(onTable) AND NOT l.granted;")
    }

    /// The sessions still waiting for the table after at most `limit`; returns as soon as none is.
    public func waiting(after limit: Duration) async throws -> Int {
        let end = ContinuousClock.now + limit
        var waiting = try await waiting()
        while waiting > 0, ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(100))
            waiting = try await self.waiting()
        }
        return waiting
    }

    private func count(_ sql: String) async throws -> Int {
        let text = try await cluster.psql(sql, arguments: ["-t", "-A"])
        guard let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw InboxError("psql answered \(text) to \(sql)")
        }
        return count
    }

    /// Ends the holding session (the lock goes with it) and waits until it has.
    public func release() async throws {
        try await cluster.psql("SELECT pg_terminate_backend(l.pid) \(granted);")
        _ = try? await session.value
    }
}
