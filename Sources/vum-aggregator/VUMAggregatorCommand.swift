import AMQPClient
import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Metrics
import NIOSSL
import Prometheus
import ServiceLifecycle
import VUMAggregator
import VUMConfiguration
import VUMStandaard

/// `vum-aggregator`: the central exchange. Thin: reads the configuration, wires broker, store, service
/// and REST API into one ServiceGroup.
@main
struct VUMAggregatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vum-aggregator",
        abstract:
            "Take zoekvragen from bemiddelaars (REST, koppelvlak 3.0), fan them out, merge the answers, serve details.",
        discussion: """
            Configuration: a file of `key = value` lines (--config), overridden by VUM_AGGREGATOR_* \
            environment variables, overridden by --set key=value. `vum-aggregator config --help` lists \
            every key and its default; Docs/operations.md explains them.

            Exit codes: 0 after a graceful stop (SIGTERM, SIGINT; open zoekvragen finish first), 1 when \
            serving failed, 2 for a configuration that cannot be used.
            """,
        subcommands: [Serve.self, ShowConfiguration.self, CopyStore.self],
        defaultSubcommand: Serve.self
    )
}

struct ShowConfiguration: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration and print every key's value and where it came from (secrets masked).",
        discussion: "Keys and defaults:\n" + AggregatorDaemonConfiguration.reader.help
    )

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        try options.check(AggregatorDaemonConfiguration.reader, program: "vum-aggregator") {
            _ = try AggregatorDaemonConfiguration($0, environment: $1)
        }
    }
}

struct CopyStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy-store",
        abstract:
            "Copy the zoekvragen of a SQLite request store into the configured one, so that their vumIDs keep resolving.",
        discussion: """
            For going from one aggregator to several: with the configuration of the aggregators that will share \
            the PostgreSQL store (request-store = postgres://...), copy the zoekvragen of the one aggregator's \
            SQLite file into it. Their vumIDs resolve at every aggregator that has the same vumid-secret-file as \
            the old one, and each zoekvraag keeps the detail requests it counted. Expired zoekvragen are left \
            out. A zoekvraag the target holds already is left as it is, so run it once before the switch and \
            once more after the old aggregator stopped, for what it answered in between.

            Exit codes: 0 when everything unexpired is in the target, 1 when reading or writing failed, 2 for a \
            configuration or source that cannot be used.
            """)

    @Option(name: .long, help: "The SQLite request store to copy from (the old aggregator's request-store).")
    var from: String

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load(AggregatorDaemonConfiguration.reader, program: "vum-aggregator") {
            try AggregatorDaemonConfiguration($0, environment: $1)
        }
        bootstrapLogging(level: configuration.logLevel)
        func fail(_ message: String, _ code: Int32) -> ExitCode {
            FileHandle.standardError.write(Data("vum-aggregator copy-store: \(message)\n".utf8))
            return ExitCode(code)
        }
        // Opening a path that is not there would create an empty store and copy nothing, silently.
        guard FileManager.default.fileExists(atPath: from) else { throw fail("--from \(from): no such file", 2) }
        let target: String
        switch configuration.requestStore {
        case .sqlite(let path):
            guard
                URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
                    != URL(fileURLWithPath: from).standardizedFileURL.resolvingSymlinksInPath()
            else { throw fail("--from \(from) is the configured request-store itself", 2) }
            target = path
        case .postgres(let server, _):
            target = server.address
        }
        let logger = Logger(label: "vum-aggregator")
        do {
            let source = try SQLiteRequestStore(path: from)
            let (store, pool) = try await Serve.openStore(configuration.requestStore, logger: logger)
            defer { pool?.cancel() }
            let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
            let outcome = try await RequestStoreCopy.copy(from: source, to: store, nowMs: nowMs) { progress in
                if (progress.copied + progress.alreadyThere) % 10_000 == 0 {
                    logger.info("copying", metadata: ["vum.copied": "\(progress.copied)"])
                }
            }
            print(
                "copied \(outcome.copied) zoekvragen from \(from) to \(target); \(outcome.alreadyThere) were there already, "
                    + "\(outcome.expired) had expired and were left out")
        } catch {
            throw fail("\(error)", 1)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the exchange (the default).")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load(AggregatorDaemonConfiguration.reader, program: "vum-aggregator") {
            try AggregatorDaemonConfiguration($0, environment: $1)
        }
        bootstrapLogging(level: configuration.logLevel)
        AllocatorTuning.keepFreedMemory()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "vum-aggregator")
        do {
            try await Self.serve(configuration, logger: logger, metrics: { registry.emitToBuffer() })
        } catch {
            logger.critical("vum-aggregator stopped", metadata: ["vum.error": "\(error)"])
            throw ExitCode(1)
        }
    }

    /// TLS 1.2 or newer with the configured certificate; with a client CA, a client certificate signed by
    /// it is required (the handshake fails without one).
    static func serverTLS(_ tls: (certificate: String, key: String, clientCA: String?)) throws -> TLSConfiguration {
        var c = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem)))
        c.minimumTLSVersion = .tlsv12
        if let ca = tls.clientCA {
            c.trustRoots = .file(ca)
            c.certificateVerification = .noHostnameVerification
        }
        return c
    }

    /// The configured request store, and for a shared one the task that runs its PostgreSQL pool (cancel it
    /// when the store is no longer used).
    static func openStore(_ settings: RequestStoreSettings, logger: Logger) async throws
        -> (store: any RequestStore, pool: Task<Void, Never>?)
    {
        switch settings {
        case .sqlite(let path):
            let store = try SQLiteRequestStore(path: path)
            logger.info("request store opened", metadata: ["vum.request_store": "\(path)"])
            return (store, nil)
        case .postgres(let server, let timeout):
            try await server.probe(logger: logger)
            let client = server.makeClient(logger: logger)
            let pool = Task { await client.run() }
            do {
                // The table is made (or found) before anything is served.
                let store = try await PostgresRequestStore(
                    client: client, address: server.address, timeout: timeout,
                    logger: logger)
                logger.info("shared request store opened", metadata: ["vum.request_store": "\(server.address)"])
                return (store, pool)
            } catch {
                pool.cancel()
                throw error
            }
        }
    }

    static func serve(
        _ configuration: AggregatorDaemonConfiguration, logger: Logger,
        metrics: @escaping @Sendable () -> [UInt8]
    ) async throws {
        let table = try PC4Table.load(path: configuration.pc4TablePath)
        let (store, storePool) = try await Self.openStore(configuration.requestStore, logger: logger)
        // The database pool runs until the aggregator has finished its last zoekvraag, which saves to it.
        defer { storePool?.cancel() }
        configuration.broker.warnIfPasswordLogin(logger)
        let connection = try await AMQPConnection.connect(configuration.broker, logger: logger)
        let aggregator = AggregatorService(
            configuration: configuration.service, registry: configuration.registry,
            connection: connection, store: store, vumIDSecret: configuration.vumIDSecret,
            previousVumIDSecret: configuration.previousVumIDSecret, table: table, logger: logger)
        let server: HTTPServerBuilder
        if let tls = configuration.httpTLS {
            server = try .tls(.http1(), tlsConfiguration: try Self.serverTLS(tls))
        } else {
            server = .http1()
            logger.warning(
                "the REST API speaks plain HTTP: put a TLS proxy in front, or set http.tls.certificate and http.tls.key"
            )
        }
        let app = Application(
            router: KoppelvlakRoutes.router(aggregator, metrics: metrics), server: server,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort)),
            onServerRunning: { channel in
                logger.info(
                    "REST API listening",
                    metadata: [
                        "http.address": "\(channel.localAddress.map { "\($0)" } ?? "-")",
                        "http.tls":
                            "\(configuration.httpTLS == nil ? "off" : configuration.httpTLS?.clientCA == nil ? "on" : "mutual")",
                    ])
            }, logger: logger)
        // Shutdown runs in reverse: the REST API stops taking requests first, then the aggregator
        // finishes its open zoekvragen.
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(
                        service: aggregator, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(
                        service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }
}
