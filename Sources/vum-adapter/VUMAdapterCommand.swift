import AMQPClient
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import VUMAdapter
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

/// The options every subcommand reads its configuration from.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("The configuration file (key = value lines).", valueName: "path"))
    var file: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one key (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    func resolve() throws -> [String: (String, AdapterDaemonConfiguration.Source)] {
        var text: String?
        if let file {
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ConfigurationError("cannot read the configuration file \(file): \(error.localizedDescription)")
            }
        }
        return try AdapterDaemonConfiguration.resolve(fileText: text, filePath: file ?? "", environment: ProcessInfo.processInfo.environment,
                                                      overrides: overrides)
    }

    func load() throws -> AdapterDaemonConfiguration {
        try AdapterDaemonConfiguration(values: resolve(), environment: ProcessInfo.processInfo.environment)
    }
}

struct ShowConfiguration: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration and print every key's value and where it came from (secrets masked).",
        discussion: "Keys and defaults:\n" + AdapterDaemonConfiguration.keys.map { k in
            "  \(k.key) = \(k.defaultValue.map { $0.isEmpty ? "(empty)" : $0 } ?? "(required)")\n      \(k.help)"
        }.joined(separator: "\n")
    )

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let values: [String: (String, AdapterDaemonConfiguration.Source)]
        do {
            values = try options.resolve()
            _ = try AdapterDaemonConfiguration(values: values, environment: ProcessInfo.processInfo.environment)
        } catch {
            print("vum-adapter: \(error)")
            throw ExitCode(2)
        }
        for k in AdapterDaemonConfiguration.keys {
            guard let (value, source) = values[k.key] else {
                print("\(k.key) = (not set)")
                continue
            }
            let shown = k.key == "broker.password" && !value.isEmpty ? "***" : Self.redactURL(value)
            print("\(k.key) = \(shown)    # \(source)")
        }
        print("configuration is valid")
    }

    static func redactURL(_ value: String) -> String {
        guard value.hasPrefix("amqp"), let at = value.lastIndex(of: "@"), let scheme = value.range(of: "://"),
            let colon = value[scheme.upperBound..<at].firstIndex(of: ":")
        else { return value }
        return String(value[..<colon]) + ":***" + String(value[at...])
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the bron (the default).")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration: AdapterDaemonConfiguration
        do { configuration = try options.load() } catch {
            FileHandle.standardError.write(Data("vum-adapter: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
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
        if case .plain = configuration.broker.authentication {
            logger.warning("password login to the broker: for local development only; production uses amqps:// with a client certificate")
        }
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

