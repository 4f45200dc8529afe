import AMQPClient
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import VUMAdapter
import VUMConfiguration
import VUMStandaard

/// `vum-adapter`: a bron's daemon. Thin: reads the configuration, wires store, broker and service, runs.
@main
struct VUMAdapterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vum-adapter",
        abstract: "Answer the exchange's zoekvragen and detail requests for one bron from its SQLite store.",
        discussion: """
            Configuration: a file of `key = value` lines (--config), overridden by VUM_ADAPTER_* environment
            variables, overridden by --set key=value. `vum-adapter config --help` lists every key and its
            default; Docs/aansluitkit.md explains them. Load the store with `vum import`.

            Exit codes: 0 after a graceful stop (SIGTERM, SIGINT), 1 when serving failed (broker gone for
            good, queue deleted), 2 for a configuration that cannot be used.
            """,
        subcommands: [Run.self, ShowConfiguration.self],
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
        try options.check(AdapterDaemonConfiguration.reader, program: "vum-adapter") { _ = try AdapterDaemonConfiguration($0, environment: $1) }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the bron (the default).")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load(AdapterDaemonConfiguration.reader, program: "vum-adapter") { try AdapterDaemonConfiguration($0, environment: $1) }
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
        let store = try SQLiteStore(path: configuration.storePath)
        var counts: [String: String] = [:]
        for g in configuration.gegevenssets { counts["vum.\(g.rawValue)"] = "\(try store.count(g))" }
        logger.info("store opened", metadata: ["vum.store": "\(store.path)"].merging(counts.mapValues { .string($0) }) { a, _ in a })
        configuration.broker.warnIfPasswordLogin(logger)
        let connection = try await AMQPConnection.connect(configuration.broker, logger: logger)
        let source = SQLiteSource(store: store, gegevenssets: configuration.gegevenssets, table: table)
        let adapter = AdapterService(configuration: configuration.service, connection: connection, source: source,
                                     table: table, logger: logger)
        logger.info("serving", metadata: ["vum.bron": "\(configuration.service.bron)", "amqp.broker": "\(configuration.broker.brokerAddress)"])
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: adapter, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { logger.info("stopped", metadata: ["vum.counters": "\(adapter.counters)"]) }
        do {
            try await group.run()
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }
}

