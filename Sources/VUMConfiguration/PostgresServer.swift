import Logging
import NIOSSL
import PostgresNIO

/// How to reach a PostgreSQL server: the adapter's view of a partner's database (`postgres.*`) and the
/// aggregator's shared request store (`request-store`) both read one from their configuration.
public struct PostgresServer: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var database: String
    public var user: String
    /// Never printed; `config` commands mask it.
    public var password: String?
    /// TLS to the database: off (`nil`), or required with this CA (`""`: the system's trust store).
    public var tlsCAFile: String?
    public var maximumConnections: Int
    /// The longest the database runs one statement of this client's (its `statement_timeout`, sent when
    /// connecting); `nil` leaves it to the database. postgres-nio cannot cancel a query it stopped waiting
    /// for, so this is what ends such a query in the server and frees its pooled connection.
    public var statementTimeout: Duration?
    /// How the client's sessions show in `pg_stat_activity` (`application_name`); `nil`: not sent.
    public var applicationName: String?

    public init(
        host: String, port: Int = 5432, database: String, user: String, password: String? = nil,
        tlsCAFile: String? = nil, maximumConnections: Int = 4, statementTimeout: Duration? = nil,
        applicationName: String? = nil
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
        self.tlsCAFile = tlsCAFile
        self.maximumConnections = maximumConnections
        self.statementTimeout = statementTimeout
        self.applicationName = applicationName
    }

    /// `postgres://user@host:port/database`, for logs and errors (never the password).
    public var address: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// TLS 1.2 or newer, the server's certificate verified against `tlsCAFile` (empty: the system's trust
    /// store); nil when TLS is off.
    var clientTLS: TLSConfiguration? {
        tlsCAFile.map { ca in
            var t = TLSConfiguration.makeClientConfiguration()
            t.minimumTLSVersion = .tlsv12
            if !ca.isEmpty { t.trustRoots = .file(ca) }
            return t
        }
    }

    /// Connects once, outside any pool, and closes again: throws ``PostgresUnreachable`` with the reason
    /// (refused, unknown host, unknown database, wrong password, TLS) within 10 s. A pool retries such
    /// failures quietly and for ever; a daemon probes at start so a wrong address is a clear error at once.
    public func probe(logger: Logger) async throws {
        do {
            var configuration = PostgresConnection.Configuration(
                host: host, port: port, username: user, password: password, database: database,
                tls: try clientTLS.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable)
            configuration.options.connectTimeout = .seconds(10)
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw PostgresUnreachable("\(address): cannot connect: \(Self.describe(error))")
        }
    }

    /// A connection pool to the database (TLS 1.2 or newer when TLS is on, a connection attempt bounded
    /// to 5 s, ``statementTimeout`` and ``applicationName`` sent when connecting); the caller runs it
    /// (`run()`) for as long as it is used.
    public func makeClient(logger: Logger) -> PostgresClient {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password,
            database: database, tls: clientTLS.map { .require($0) } ?? .disable)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = startupParameters
        return PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// The session settings sent when connecting: they hold from the first statement on, and a setting a
    /// client sends overrides the role's and the database's (`ALTER ROLE … SET`).
    var startupParameters: [(String, String)] {
        var parameters: [(String, String)] = []
        if let statementTimeout {
            // Whole milliseconds, at least 1: 0 would mean no limit at all.
            let ms = max(1, Int64(statementTimeout / .milliseconds(1)))
            parameters.append(("statement_timeout", "\(ms)ms"))
        }
        if let applicationName { parameters.append(("application_name", applicationName)) }
        return parameters
    }

    /// What went wrong, readably: postgres-nio's own description of a `PSQLError` hides the server's
    /// message on purpose (it may quote data); these errors go to the operator's log. A failed transaction
    /// is described by the error inside it; any other error as itself.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            let inner = [error.beginError, error.closureError, error.rollbackError, error.commitError]
            return inner.lazy.compactMap { $0 }.first.map(describe) ?? "\(error)"
        }
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo {
            return [info[.sqlState].map { "SQLSTATE \($0)" }, info[.message], info[.detail], info[.hint]]
                .compactMap { $0 }.joined(separator: ": ")
        }
        return "\(error.code)\(error.underlying.map { ": \($0)" } ?? "")"
    }
}

/// A PostgreSQL server that a daemon could not reach at start: which one (never the password) and why.
public struct PostgresUnreachable: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
