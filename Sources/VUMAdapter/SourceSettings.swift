import Logging
import PostgresNIO
import VUMConfiguration
import VUMExchange
import VUMStandaard

/// Which ``BronSource`` the adapter daemon serves from, with what it needs to open it.
public enum SourceSettings: Sendable {
    /// The adapter's own SQLite store file (filled with `vum import`).
    case sqlite(storePath: String)
    /// The partner's PostgreSQL database, read through a mapping file.
    case postgres(PostgresSettings)
    /// The partner's existing koppelvlak 3.0 Bron endpoint.
    case rest(RESTBronSettings)
}

/// How to reach the partner's PostgreSQL database, and the mapping that reads it.
public struct PostgresSettings: Sendable {
    public var server: PostgresServer
    public var mappingPath: String
    public var mapping: BronMapping
    /// Time kept back from the zoekvraag's deadline to publish the answer: a query is given up this early.
    public var margin: Duration
    /// How long a detail request that came without a deadline may wait for the database.
    public var detailTimeout: Duration

    public init(
        server: PostgresServer, mappingPath: String, mapping: BronMapping,
        margin: Duration = PostgresSource.defaultMargin, detailTimeout: Duration = PostgresSource.defaultDetailTimeout
    ) {
        self.server = server
        self.mappingPath = mappingPath
        self.mapping = mapping
        self.margin = margin
        self.detailTimeout = detailTimeout
    }

    /// `postgres://user@host:port/database`, for logs (never the password).
    public var address: String { server.address }

    /// A connection pool to the database; the caller runs it (`run()`) for as long as it is used.
    public func makeClient(logger: Logger) -> PostgresClient { server.makeClient(logger: logger) }
}
