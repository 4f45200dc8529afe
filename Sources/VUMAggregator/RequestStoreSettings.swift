import Foundation
import VUMConfiguration

/// Where `vum-aggregator` keeps its request state: a SQLite file for one instance, or a PostgreSQL
/// database that several instances share (with one vumID secret among them).
public enum RequestStoreSettings: Sendable, Hashable {
    case sqlite(path: String)
    /// Every operation bounded by `timeout`.
    case postgres(PostgresServer, timeout: Duration)

    static let keys: [KeyValueConfiguration.Key] = [
        .init(
            "request-store", "aggregator.sqlite",
            "the SQLite file of zoekvragen and their vumIDs, or postgres://user@host:port/database, a store that "
                + "several aggregators share (they then need the same vumid-secret-file)"),
        .init(
            "request-store.password", "", "postgres: the database user's password; better set in the environment",
            secret: true),
        .init(
            "request-store.tls", "disable",
            "postgres: disable, or require (TLS with the server's certificate verified)"),
        .init(
            "request-store.ca", "",
            "postgres: the CA (PEM) that signed the server's certificate; default: the system's"),
        .init("request-store.connections", "8", "postgres: the most connections the aggregator opens"),
        .init("request-store.timeout", "2s", "postgres: how long one operation may take before the asker gets 500"),
    ]

    /// The store the keys name; a problem with them is noted and the default SQLite file stands in.
    init(_ c: KeyValueConfiguration, problems: inout ConfigurationProblems) {
        do { self = try Self.read(c, problems: &problems) } catch {
            problems.note(error)
            self = .sqlite(path: "aggregator.sqlite")
        }
    }

    private static func read(_ c: KeyValueConfiguration, problems: inout ConfigurationProblems)
        throws(ConfigurationError) -> Self
    {
        let value = c.string("request-store")
        guard value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") else {
            guard !value.isEmpty else {
                throw c.fail("request-store", "is required: a SQLite file or a postgres:// URL")
            }
            return .sqlite(path: value)
        }
        // Never quote the value in an error: it might hold a password.
        guard let url = URLComponents(string: value), let host = url.host, !host.isEmpty else {
            throw c.fail("request-store", "is not a URL like postgres://user@host:5432/database")
        }
        guard url.password == nil else {
            throw c.fail(
                "request-store",
                "holds a password: set request-store.password (or its environment variable) instead")
        }
        guard url.query == nil, url.fragment == nil else {
            throw c.fail(
                "request-store", "takes no ?parameters: TLS is request-store.tls, the password request-store.password")
        }
        guard let user = url.user, !user.isEmpty else {
            throw c.fail("request-store", "names no user (postgres://user@host/database)")
        }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw c.fail("request-store", "names no database (postgres://user@host/database)")
        }
        guard url.port.map({ (1...65_535).contains($0) }) ?? true else {
            throw c.fail("request-store", "has a port outside 1...65535")
        }
        let tls = problems.read(nil) { () throws(ConfigurationError) in
            try c.postgresTLS("request-store.tls", ca: "request-store.ca")
        }
        let password = c.string("request-store.password")
        let timeout = problems.read(.seconds(2)) { () throws(ConfigurationError) in
            try c.duration("request-store.timeout", atLeast: .milliseconds(10))
        }
        let connections = problems.read(8) { () throws(ConfigurationError) in
            try c.int("request-store.connections", 1...1_000)
        }
        // The database ends a statement when the store stops waiting for it, so a query stuck behind a
        // lock does not keep its pooled connection after the asker got its error.
        return .postgres(
            PostgresServer(
                host: host, port: url.port ?? 5432, database: database, user: user,
                password: password.isEmpty ? nil : password, tlsCAFile: tls,
                maximumConnections: connections, statementTimeout: timeout, applicationName: "vum-aggregator"),
            timeout: timeout)
    }

    /// Whether other aggregators may share this store.
    var isShared: Bool {
        if case .postgres = self { return true }
        return false
    }
}
