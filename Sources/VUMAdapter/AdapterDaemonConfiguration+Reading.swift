import AMQPClient
import Foundation
import Logging
import VUMConfiguration
import VUMExchange
import VUMStandaard

extension AdapterDaemonConfiguration {
    /// Every key of `vum-adapter`'s configuration, with its default (`nil`: required) and what it sets;
    /// read as ``KeyValueConfiguration`` describes, with the environment prefix `VUM_ADAPTER_`.
    public static let keys: [KeyValueConfiguration.Key] =
        [
            .init("bron", nil, "the bron id, lower case letters, digits and '-' (its queue is vum.bron.<bron>)"),
            .init(
                "gegevenssets", nil, "the datasets it answers for: werkzoekenden, vacatures, or both comma-separated"),
        ] + KeyValueConfiguration.brokerKeys(user: "bron-<bron>") + [
            .init(
                "source", "sqlite",
                "where the records are: sqlite (the store file), postgres (the partner's database, "
                    + "through a mapping file) or rest (the partner's koppelvlak 3.0 Bron endpoint)"),
            .init(
                "source.delay", "0ms",
                "added before every answer of the source, as a slow legacy system would "
                    + "(benchmarks and fault drills; keep 0ms in production)"),
            .init("store", "bron.sqlite", "sqlite: the store file (created when missing; fill it with vum import)"),
            .init("mapping", "", "postgres: the mapping file (YAML, Docs/aansluitkit.md section 9)"),
            .init("postgres.host", "127.0.0.1", "postgres: the database server"),
            .init("postgres.port", "5432", "postgres: its port"),
            .init("postgres.database", "", "postgres: the database"),
            .init("postgres.user", "", "postgres: a user that may read the mapped tables (read-only is enough)"),
            .init(
                "postgres.password", "", "postgres: its password; better set in the environment than in the file",
                secret: true),
            .init(
                "postgres.tls", "disable", "postgres: disable, or require (TLS with the server's certificate verified)"),
            .init(
                "postgres.ca", "", "postgres: the CA (PEM) that signed the server's certificate; default: the system's"),
            .init("postgres.connections", "4", "postgres: the most connections the adapter opens"),
            .init(
                "postgres.margin", "150ms",
                "postgres: time kept back from the deadline to answer; a query is given up this early"),
            .init("postgres.detail-timeout", "5s", "postgres: how long a detail request without a deadline may wait"),
            .init(
                "postgres.statement-timeout", "30s",
                "postgres: the database ends a query of the adapter's after this long (0s: the database's own "
                    + "setting); at least the aggregator's max-deadline and postgres.detail-timeout"),
            .init(
                "rest.url", "",
                "rest: the endpoint's base URL, under which /werkzoekendeProfielen/matches and so on live"),
            .init("rest.oin", "", "rest: the bron's OIN, sent as X-VUM-toParty"),
            .init(
                "rest.tls.ca", "", "rest: the CA (PEM) that signed the endpoint's certificate; default: the system's"),
            .init("rest.tls.certificate", "", "rest: the adapter's client certificate (PEM) for mutual TLS"),
            .init("rest.tls.key", "", "rest: that certificate's private key (PEM)"),
            .init(
                "rest.margin", "100ms",
                "rest: time kept back from the deadline to answer; the request is given up this early"),
            .init("rest.detail-timeout", "5s", "rest: the timeout of a detail request"),
            .init("pc4", "", "the PC4 centroid table (CSV pc4,lat,lon,name); default: $VUM_PC4_TABLE"),
            .init("result-limit", "100", "the most matches per zoekvraag, whatever the question asks"),
            .init(
                "contact-data", "release", "release or withhold: whether details carry contact data the record allows"),
            .init("prefetch", "16", "unacknowledged messages the broker may hand the adapter at once"),
            .init("concurrency", "4", "questions worked on at the same time"),
            .init("heartbeat", "5s", "time between heartbeats on vum.aanmeldingen (ms, s or m)"),
            .init(
                "consumer-check", "5s",
                "time between checks that the broker still delivers: messages waiting, room to "
                    + "work and no delivery twice in a row make the adapter consume again on a fresh channel"),
            .init("max-message-size", "1048576", "messages larger than this many bytes are refused"),
            .init(
                "status-interval", "15m",
                "time between status lines in the log: zoekvragen and details since the last line, and whether "
                    + "the broker is connected (0s: none)"),
            KeyValueConfiguration.logLevelKey,
        ]

    /// The reader for these keys.
    public static var reader: KeyValueConfiguration {
        KeyValueConfiguration(keys: keys, environmentPrefix: "VUM_ADAPTER_")
    }

    /// Builds the configuration from resolved values; every bad value is an error naming the key and
    /// where its value came from, and all of them are named at once (``ConfigurationProblems``).
    public init(_ c: KeyValueConfiguration, environment: [String: String] = [:]) throws(ConfigurationError) {
        var problems = ConfigurationProblems()
        let bron = problems.read(Self.standInBron) { () throws(ConfigurationError) -> BronID in
            do {
                return try BronID(validating: try c.required("bron", "the bron id, for example gemeente-utrecht"))
            } catch let e as ConfigurationError {
                throw e
            } catch { throw c.fail("bron", "\(error)") }
        }
        var sets: Set<Gegevensset> = []
        for part in c.string("gegevenssets").split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let g = Gegevensset(rawValue: name) else {
                problems.note(c.fail("gegevenssets", "\"\(name)\" is not werkzoekenden or vacatures"))
                continue
            }
            sets.insert(g)
        }
        if c.string("gegevenssets").isEmpty {
            problems.note(c.fail("gegevenssets", "is required: werkzoekenden, vacatures, or both"))
        }
        let (broker, user) = problems.read(Self.standInBroker) {
            () throws(ConfigurationError) -> (AMQPConfiguration, String) in
            try c.broker(connectionName: "vum-adapter \(bron)", defaultUser: bron.brokerUser)
        }

        var service = AdapterConfiguration(bron: bron)
        service.brokerUser = user
        service.resultLimit = problems.read(service.resultLimit) { () throws(ConfigurationError) in
            try c.int("result-limit", 1...10_000)
        }
        switch c.string("contact-data") {
        case "release": service.releaseContactData = true
        case "withhold": service.releaseContactData = false
        default: problems.note(c.fail("contact-data", "\"\(c.string("contact-data"))\" is not release or withhold"))
        }
        service.prefetch = problems.read(service.prefetch) { () throws(ConfigurationError) in
            UInt16(try c.int("prefetch", 1...65_535))
        }
        service.concurrency = problems.read(service.concurrency) { () throws(ConfigurationError) in
            try c.int("concurrency", 1...1_000)
        }
        service.heartbeatInterval = problems.read(service.heartbeatInterval) { () throws(ConfigurationError) in
            try c.duration("heartbeat", atLeast: .milliseconds(100))
        }
        service.consumerCheckInterval = problems.read(service.consumerCheckInterval) {
            () throws(ConfigurationError) in try c.duration("consumer-check", atLeast: .milliseconds(100))
        }
        service.statusInterval = problems.read(service.statusInterval) { () throws(ConfigurationError) in
            try c.optionalPeriod("status-interval", atLeast: .seconds(1))
        }
        service.maximumMessageSize = problems.read(service.maximumMessageSize) { () throws(ConfigurationError) in
            try c.int("max-message-size", 1_024...(128 << 20))
        }

        let pc4 = c.string("pc4").isEmpty ? environment["VUM_PC4_TABLE"] ?? "" : c.string("pc4")
        if pc4.isEmpty { problems.note(c.fail("pc4", "is required: the PC4 centroid table (or set VUM_PC4_TABLE)")) }
        let level = problems.read(.info) { () throws(ConfigurationError) in try c.logLevel() }
        var source = SourceSettings.sqlite(storePath: c.string("store"))
        switch c.string("source") {
        case "sqlite": break
        case "postgres":
            if let settings = Self.postgres(c, gegevenssets: sets, problems: &problems) { source = .postgres(settings) }
        case "rest":
            if let settings = Self.rest(c, gegevenssets: sets, problems: &problems) { source = .rest(settings) }
        default: problems.note(c.fail("source", "\"\(c.string("source"))\" is not sqlite, postgres or rest"))
        }
        let delay = problems.read(.zero) { () throws(ConfigurationError) in
            try c.duration("source.delay", atLeast: .zero)
        }
        try problems.throwIfAny()
        self.init(
            service: service, broker: broker, gegevenssets: sets, source: source, pc4TablePath: pc4, logLevel: level)
        sourceDelay = delay
    }

    /// Stands in for a bron id that cannot be read, so the other keys are still checked.
    static var standInBron: BronID { try! BronID(validating: "bron") }

    /// Stands in for a broker configuration that cannot be read, so the other keys are still checked.
    static var standInBroker: (AMQPConfiguration, String) {
        (AMQPConfiguration(host: "localhost", port: 5671, authentication: .external), "")
    }

    /// The PostgreSQL source's settings, or nil with every problem of its keys noted.
    static func postgres(
        _ c: KeyValueConfiguration, gegevenssets: Set<Gegevensset>, problems: inout ConfigurationProblems
    ) -> PostgresSettings? {
        let before = problems.found.count
        let mapping = problems.read { () throws(ConfigurationError) -> (String, BronMapping) in
            let path = try c.required("mapping", "the mapping file of the partner's tables (source = postgres)")
            do { return (path, try BronMapping(contentsOf: path)) } catch { throw c.fail("mapping", "\(error)") }
        }
        if let (path, mapping) = mapping {
            for g in gegevenssets.sorted(by: { $0.rawValue < $1.rawValue }) where mapping.records(g) == nil {
                problems.note(c.fail("gegevenssets", "\(g.rawValue) is not in the mapping file \(path)"))
            }
        }
        let tls = problems.read(nil) { () throws(ConfigurationError) in
            try c.postgresTLS("postgres.tls", ca: "postgres.ca")
        }
        let detailTimeout = problems.read(.seconds(5)) { () throws(ConfigurationError) in
            try c.duration("postgres.detail-timeout", atLeast: .milliseconds(10))
        }
        let statementTimeout = problems.read(.zero) { () throws(ConfigurationError) in
            try c.duration("postgres.statement-timeout", atLeast: .zero)
        }
        if statementTimeout != .zero, statementTimeout < detailTimeout {
            problems.note(
                c.fail(
                    "postgres.statement-timeout",
                    "\(c.string("postgres.statement-timeout")) is shorter than postgres.detail-timeout "
                        + "(\(c.string("postgres.detail-timeout"))): the database would end detail requests the "
                        + "adapter still waits for"))
        }
        let port = problems.read(5432) { () throws(ConfigurationError) in try c.int("postgres.port", 1...65_535) }
        let database = problems.read("") { () throws(ConfigurationError) in
            try c.required("postgres.database", "the partner's database")
        }
        let user = problems.read("") { () throws(ConfigurationError) in
            try c.required("postgres.user", "a database user that may read the mapped tables")
        }
        let connections = problems.read(4) { () throws(ConfigurationError) in
            try c.int("postgres.connections", 1...100)
        }
        let margin = problems.read(.zero) { () throws(ConfigurationError) in
            try c.duration("postgres.margin", atLeast: .milliseconds(0))
        }
        guard problems.found.count == before, let (path, mapping) = mapping else { return nil }
        let server = PostgresServer(
            host: c.string("postgres.host"), port: port, database: database, user: user,
            password: c.string("postgres.password").isEmpty ? nil : c.string("postgres.password"), tlsCAFile: tls,
            maximumConnections: connections, statementTimeout: statementTimeout == .zero ? nil : statementTimeout,
            applicationName: "vum-adapter")
        return PostgresSettings(
            server: server, mappingPath: path, mapping: mapping, margin: margin, detailTimeout: detailTimeout)
    }

    /// The REST source's settings, or nil with every problem of its keys noted.
    static func rest(
        _ c: KeyValueConfiguration, gegevenssets: Set<Gegevensset>, problems: inout ConfigurationProblems
    ) -> RESTBronSettings? {
        let before = problems.found.count
        let url = problems.read("") { () throws(ConfigurationError) -> String in
            let url = try c.required(
                "rest.url", "the base URL of the partner's Bron endpoint, e.g. https://bron.example.nl/api/v3")
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw c.fail("rest.url", "\(url) is not an http(s) URL")
            }
            return url
        }
        var settings = RESTBronSettings(baseURL: url, gegevenssets: gegevenssets)
        if !c.string("rest.oin").isEmpty {
            do { settings.bronOIN = try OIN(validating: c.string("rest.oin")) } catch {
                problems.note(c.fail("rest.oin", error.description))
            }
        }
        settings.caFile = c.string("rest.tls.ca").isEmpty ? nil : c.string("rest.tls.ca")
        settings.certificateFile = c.string("rest.tls.certificate").isEmpty ? nil : c.string("rest.tls.certificate")
        settings.keyFile = c.string("rest.tls.key").isEmpty ? nil : c.string("rest.tls.key")
        if (settings.certificateFile == nil) != (settings.keyFile == nil) {
            problems.note(c.fail("rest.tls.certificate", "rest.tls.certificate and rest.tls.key go together"))
        }
        settings.margin = problems.read(settings.margin) { () throws(ConfigurationError) in
            try c.duration("rest.margin", atLeast: .milliseconds(0))
        }
        settings.detailTimeout = problems.read(settings.detailTimeout) { () throws(ConfigurationError) in
            try c.duration("rest.detail-timeout", atLeast: .milliseconds(10))
        }
        return problems.found.count == before ? settings : nil
    }
}
