import Logging
import NIOSSL
import PostgresNIO
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
    public var host: String
    public var port: Int
    public var database: String
    public var user: String
    /// Never printed; `vum-adapter config` masks it.
    public var password: String?
    /// TLS to the database: off (`nil`), or required with this CA (`""`: the system's trust store).
    public var tlsCAFile: String?
    public var maximumConnections: Int
    public var mappingPath: String
    public var mapping: BronMapping

    public init(host: String, port: Int, database: String, user: String, password: String? = nil, tlsCAFile: String? = nil,
                maximumConnections: Int = 4, mappingPath: String, mapping: BronMapping) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
        self.tlsCAFile = tlsCAFile
        self.maximumConnections = maximumConnections
        self.mappingPath = mappingPath
        self.mapping = mapping
    }

    /// `postgres://user@host:port/database`, for logs (never the password).
    public var address: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// A connection pool to the database; the caller runs it (`run()`) for as long as it is used.
    public func makeClient(logger: Logger) -> PostgresClient {
        let tls: PostgresClient.Configuration.TLS
        if let ca = tlsCAFile {
            var t = TLSConfiguration.makeClientConfiguration()
            t.minimumTLSVersion = .tlsv12
            if !ca.isEmpty { t.trustRoots = .file(ca) }
            tls = .require(t)
        } else {
            tls = .disable
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password,
                                                         database: database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        return PostgresClient(configuration: configuration, backgroundLogger: logger)
    }
}
