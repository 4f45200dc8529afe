import AMQPClient
import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import VUMAdapter
import VUMConfiguration
import VUMStandaard

/// `vum-adapter`: a bron's daemon. Thin: reads the configuration, wires store, broker and service, runs.
@main
struct VUMAdapterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vum-adapter",
        abstract: "Answer the exchange's zoekvragen and detail requests for one bron from its SQLite store, its own "
            + "PostgreSQL database (through a mapping file) or its koppelvlak 3.0 Bron endpoint.",
        discussion: """
            Configuration: a file of `key = value` lines (--config), overridden by VUM_ADAPTER_* environment \
            variables, overridden by --set key=value. `vum-adapter config --help` lists every key and its \
            default; Docs/aansluitkit.md explains them. Load the store with `vum import`; check a PostgreSQL \
            mapping with `vum-adapter mapping check` before going live.

            Exit codes: 0 after a graceful stop (SIGTERM, SIGINT), 1 when serving failed (broker gone for \
            good, queue deleted), 2 for a configuration that cannot be used.
            """,
        subcommands: [Run.self, ShowConfiguration.self, MappingCommand.self],
        defaultSubcommand: Run.self
    )
}

struct ShowConfiguration: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration and print every key's value and where it came from (secrets masked).",
        discussion: "Keys and defaults:\n" + AdapterDaemonConfiguration.reader.help
    )

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        try options.check(AdapterDaemonConfiguration.reader, program: "vum-adapter") {
            _ = try AdapterDaemonConfiguration($0, environment: $1)
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the bron (the default).")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load(AdapterDaemonConfiguration.reader, program: "vum-adapter") {
            try AdapterDaemonConfiguration($0, environment: $1)
        }
        bootstrapLogging(level: configuration.logLevel)
        let logger = Logger(label: "vum-adapter")
        do {
            try await Self.serve(configuration, logger: logger)
        } catch {
            logger.critical("vum-adapter stopped", metadata: ["vum.error": "\(error)"])
            throw ExitCode(1)
        }
    }

    static func serve(_ configuration: AdapterDaemonConfiguration, logger: Logger) async throws {
        let table: PC4Table
        do { table = try PC4Table.load(path: configuration.pc4TablePath) } catch {
            throw ConfigurationError("pc4: \(error)")
        }
        // What the source needs beside it: a database pool to run, an HTTP client to close.
        var clientTask: Task<Void, Never>?
        defer { clientTask?.cancel() }
        var rest: RESTBronSource?
        var source: any BronSource
        switch configuration.source {
        case .sqlite(let path):
            let store = try SQLiteStore(path: path)
            var counts: [String: String] = [:]
            for g in configuration.gegevenssets { counts["vum.\(g.rawValue)"] = "\(try store.count(g))" }
            logger.info(
                "store opened",
                metadata: ["vum.store": "\(store.path)"].merging(counts.mapValues { .string($0) }) { a, _ in a })
            source = SQLiteSource(store: store, gegevenssets: configuration.gegevenssets, table: table)
        case .postgres(let settings):
            try await settings.server.probe(logger: logger)
            let client = settings.makeClient(logger: logger)
            clientTask = Task { await client.run() }
            source = try await PostgresSource(
                client: client, mapping: settings.mapping, table: table, margin: settings.margin,
                detailTimeout: settings.detailTimeout, logger: logger)
            logger.info(
                "database opened",
                metadata: ["vum.database": "\(settings.address)", "vum.mapping": "\(settings.mappingPath)"])
        case .rest(let settings):
            let forwarder = try RESTBronSource(settings: settings, logger: logger)
            rest = forwarder
            source = forwarder
            logger.info("forwarding to the bron's endpoint", metadata: ["vum.endpoint": "\(settings.baseURL)"])
        }

        if configuration.sourceDelay > .zero {
            source = DelayedSource(source, delay: configuration.sourceDelay)
            logger.warning(
                "every answer is delayed on purpose (source.delay)",
                metadata: ["vum.delay": "\(configuration.sourceDelay)"])
        }
        configuration.broker.warnIfPasswordLogin(logger)
        let connection = try await AMQPConnection.connect(configuration.broker, logger: logger)
        let adapter = AdapterService(
            configuration: configuration.service, connection: connection, source: source,
            table: table, logger: logger)
        logger.info(
            "serving",
            metadata: [
                "vum.bron": "\(configuration.service.bron)", "amqp.broker": "\(configuration.broker.brokerAddress)",
            ])
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(
                        service: adapter, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { logger.info("stopped", metadata: ["vum.counters": "\(adapter.counters)"]) }
        do {
            try await group.run()
        } catch {
            await connection.close()
            try? await rest?.shutdown()
            throw error
        }
        await connection.close()
        try? await rest?.shutdown()
    }
}

/// Runs `body` while `client`'s pool runs, then stops the pool (the pool only works while `run()` does).
func withRunningClient<T: Sendable>(_ client: PostgresClient, _ body: () async throws -> T) async throws -> T {
    let running = Task { await client.run() }
    defer { running.cancel() }
    return try await body()
}

struct MappingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mapping", abstract: "Check a PostgreSQL mapping before the bron goes live.",
        subcommands: [MappingCheckCommand.self])
}

struct MappingCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Connect to the database, check the mapping against the live schema, and report on a sample of records.",
        discussion: """
            Uses the adapter's configuration (source = postgres, mapping, postgres.*). Reports per field how many \
            values translate, fall back to the default, stay untranslated or are empty; which records would be \
            left out and why; the completeness the bron will reach; which criteria it applies; and how \
            PostgreSQL plans a question. Exit codes: 0 usable, 1 not usable (a table or an expression that does \
            not work, the database out of reach), 2 for a configuration that cannot be used.
            """)

    @OptionGroup var options: ConfigurationOptions
    @Option(help: "How many records to read.") var sample = 1000

    func run() async throws {
        let configuration = try options.load(AdapterDaemonConfiguration.reader, program: "vum-adapter") {
            try AdapterDaemonConfiguration($0, environment: $1)
        }
        guard case .postgres(let settings) = configuration.source else {
            FileHandle.standardError.write(
                Data("vum-adapter mapping check: the configuration's source is not postgres\n".utf8))
            throw ExitCode(2)
        }
        bootstrapLogging(level: .error)
        let logger = Logger(label: "vum-adapter")
        let table: PC4Table
        do { table = try PC4Table.load(path: configuration.pc4TablePath) } catch {
            FileHandle.standardError.write(Data("vum-adapter: pc4: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print("mapping \(settings.mappingPath) against \(settings.address)")
        do { try await settings.server.probe(logger: logger) } catch {
            // Without this the check waited for ever: the pool retries a database it cannot reach.
            print("not usable: \(error)")
            throw ExitCode(1)
        }
        let client = settings.makeClient(logger: logger)
        let report = try await withRunningClient(client) {
            await MappingCheck.run(settings.mapping, client: client, table: table, sample: sample, logger: logger)
        }
        print(report)
        if !report.isUsable { throw ExitCode(1) }
    }
}
