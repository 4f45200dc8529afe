import AMQPClient
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import VUMAudit
import VUMConfiguration
import VUMStandaard

/// `vum-audit`: the auditors' daemon and tools over the audit trail.
@main
struct VUMAuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vum-audit",
        abstract: "Keep the procesgegevens in a tamper-evident store; verify it, check the rules, report.",
        discussion: """
            `vum-audit run` (the default) consumes vum.audit into the store; `verify`, `check` and `report` \
            read a store. Docs/auditing.md explains the trail, its hash chain and every figure.

            Exit codes: 0 success (intact, no violation); 1 the trail is not intact, a rule was broken, or the \
            daemon stopped on an error; 2 a configuration or argument that cannot be used.
            """,
        subcommands: [Run.self, Verify.self, Check.self, Report.self, Quarantine.self, ShowConfiguration.self],
        defaultSubcommand: Run.self
    )
}

struct ShowConfiguration: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the daemon's configuration and print every key's value and where it came from.",
        discussion: "Keys and defaults:\n" + AuditDaemonConfiguration.reader.help
    )
    @OptionGroup var options: ConfigurationOptions
    func run() throws {
        try options.check(AuditDaemonConfiguration.reader, program: "vum-audit") {
            _ = try AuditDaemonConfiguration($0, environment: $1)
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Consume procesgegevens into the store (the default).",
        discussion: "Keys and defaults:\n" + AuditDaemonConfiguration.reader.help)
    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load(AuditDaemonConfiguration.reader, program: "vum-audit") {
            try AuditDaemonConfiguration($0, environment: $1)
        }
        bootstrapLogging(level: configuration.logLevel)
        let logger = Logger(label: "vum-audit")
        do {
            let store = try AuditStore(
                path: configuration.storePath, checkpointInterval: configuration.checkpointInterval)
            configuration.broker.warnIfPasswordLogin(logger)
            let connection = try await AMQPConnection.connect(configuration.broker, logger: logger)
            let service = AuditService(
                configuration: configuration.service, connection: connection, store: store, logger: logger)
            let group = ServiceGroup(
                configuration: .init(
                    services: [
                        .init(
                            service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                            failureTerminationBehavior: .gracefullyShutdownGroup)
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            defer { logger.info("stopped", metadata: ["vum.counters": "\(service.counters)"]) }
            do { try await group.run() } catch {
                await connection.close()
                throw error
            }
            await connection.close()
        } catch {
            logger.critical("vum-audit stopped", metadata: ["vum.error": "\(error)"])
            throw ExitCode(1)
        }
    }
}

/// `--store`, shared by the reading subcommands.
struct StoreOption: ParsableArguments {
    @Option(help: ArgumentHelp("The audit store (SQLite file).", valueName: "path"))
    var store: String = "audit.sqlite"

    func open() throws -> AuditStore {
        do { return try AuditStore(path: store, readOnly: true) } catch {
            FileHandle.standardError.write(Data("vum-audit: cannot open the audit store \(store): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// `--from` and `--to`: a date (`2026-11-29`, midnight UTC), a time (`2026-11-29T14:00:00Z`) or milliseconds.
struct PeriodOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Start of the period, inclusive (2026-11-29, 2026-11-29T14:00:00Z or ms since 1970).", valueName: "time"))
    var from: String?
    @Option(help: ArgumentHelp("End of the period, exclusive.", valueName: "time"))
    var to: String?

    static func parse(_ text: String) -> Int64? {
        if let ms = Int64(text) { return ms }
        let full = ISO8601DateFormatter()
        if let d = full.date(from: text) { return Int64(d.timeIntervalSince1970 * 1000) }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let d = day.date(from: text) { return Int64(d.timeIntervalSince1970 * 1000) }
        return nil
    }

    func validate() throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, Self.parse(value) == nil {
                throw ValidationError(
                    "\(name) \(value): not a date (2026-11-29), a time (2026-11-29T14:00:00Z) or milliseconds")
            }
        }
    }

    var fromMs: Int64 { from.flatMap(Self.parse) ?? .min }
    var toMs: Int64 { to.flatMap(Self.parse) ?? .max }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove the hash chain is intact, or name the first event where it is not.",
        discussion: """
            Recomputes every event's hash over its canonical JSON and its link to the one before, checks the \
            checkpoints, and stops at the first problem: an edited, deleted, inserted or reordered event. \
            Note the printed head hash elsewhere: a later verify must show it again (a trail cut off after the \
            last checkpoint is otherwise indistinguishable from a shorter one).

            Example: vum-audit verify --store /var/lib/vum/audit.sqlite
            """)
    @OptionGroup var store: StoreOption
    func run() throws {
        let result = try store.open().verify()
        print(result)
        if !result.intact { throw ExitCode(1) }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Flag breaches of the rules: too many details, werkzoekenden to a non-SUWI party, personal data.",
        discussion: "Example: vum-audit check --store audit.sqlite --from 2026-11-01 --to 2026-12-01")
    @OptionGroup var store: StoreOption
    @OptionGroup var period: PeriodOptions
    @Option(help: "Details allowed per zoekvraag.") var maxDetails = 10
    func run() throws {
        let violations = try RulesCheck(maximumDetails: maxDetails).run(
            store.open(), fromMs: period.fromMs, toMs: period.toMs)
        for v in violations { print(v) }
        print(violations.isEmpty ? "no rule broken" : "\(violations.count) violations")
        if !violations.isEmpty { throw ExitCode(1) }
    }
}

extension AuditReport.Format: ExpressibleByArgument {}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Figures per bron and per bemiddelaar over a period.",
        discussion: """
            Per bron: zoekvragen received, answered, empty, failed, late, offline; latency p50/p95/p99; matches; \
            ignored criteria; datakwaliteit reports. Per bemiddelaar: zoekvragen, refusals by reason, detail \
            requests and refusals. --format html writes one self-contained page with charts.

            Example: vum-audit report --store audit.sqlite --from 2026-11-01 --format html --output report.html
            """)
    @OptionGroup var store: StoreOption
    @OptionGroup var period: PeriodOptions
    @Option(help: "Only this bron.") var bron: String?
    @Option(help: "Only this bemiddelaar (OIN).") var bemiddelaar: String?
    @Option(help: "table, csv, json or html.") var format: AuditReport.Format = .table
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path")) var output: String?

    func run() throws {
        let report = try AuditReport(
            store: store.open(),
            filter: .init(
                fromMs: period.fromMs, toMs: period.toMs,
                bron: bron, bemiddelaar: bemiddelaar))
        let text = report.render(format)
        if let output {
            do { try FileContents.write(text.utf8, to: output) } catch {
                FileHandle.standardError.write(Data("vum-audit: cannot write \(output): \(error)\n".utf8))
                throw ExitCode(1)
            }
        } else {
            print(text, terminator: "")
        }
    }
}

struct Quarantine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the messages that could not be stored as events, with the reason.")
    @OptionGroup var store: StoreOption
    func run() throws {
        let items = try store.open().quarantined()
        for item in items {
            print("\(AuditReport.time(item.receivedMs))  \(item.routingKey)  \(item.reason)")
            print("    \(String(decoding: item.raw.prefix(300), as: UTF8.self))")
        }
        print("\(items.count) quarantined")
    }
}
