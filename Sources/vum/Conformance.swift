import AMQPClient
import ArgumentParser
import Foundation
import VUMConformance
import VUMExchange
import VUMStandaard

/// `vum conformance`: the executable aansluitkit.
struct Conformance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a bron's adapter through a broker before it goes live: the aansluitkit as a program.",
        discussion: """
            Plays the aggregator for one bron on a test or staging vhost: watches for its aanmelding and \
            heartbeats, sends it zoekvragen (built around its own records with --data, typical ones otherwise), \
            a malformed one, one with an unknown criterion and a detail request, and checks the answers: in \
            time, valid against the schemas, from the bron's own broker user, no detail-only field in a matching \
            profile, every match inside the selectiegebied and satisfying the question, with --data exactly what \
            the evaluator finds, 400.01 for the malformed question, the unknown criterion reported as ignored. \
            Each check prints PASS or FAIL with its evidence. The login needs the aggregator's permissions.

            Examples:
              VUM_BROKER_PASSWORD=... vum conformance --bron gemeente-utrecht \\
                  --broker amqp://aggregator@localhost:5672/vum
              vum conformance --bron uwv --broker amqps://broker.example.nl:5671/vum \\
                  --tls-ca ca.pem --tls-certificate conformance.pem \\
                  --tls-key conformance.key --data uwv-werkzoekenden.ndjson

            Exit codes: 0 every check passed, 1 a check failed or the broker could not be used, 2 a flag is wrong.
            """)

    @Option(help: ArgumentHelp("The bron to check.", valueName: "id")) var bron: String
    @Option(
        help: ArgumentHelp(
            "The broker: amqp://user@host:port/vhost (password in $VUM_BROKER_PASSWORD) or amqps://host:port/vhost with a certificate.",
            valueName: "url"))
    var broker: String = "amqps://localhost:5671/vum"
    @Option(help: ArgumentHelp("CA certificate (PEM) of the broker.", valueName: "path")) var tlsCa: String?
    @Option(help: ArgumentHelp("Client certificate (PEM).", valueName: "path")) var tlsCertificate: String?
    @Option(help: ArgumentHelp("Client key (PEM).", valueName: "path")) var tlsKey: String?
    @Option(help: ArgumentHelp("The broker user the bron publishes as (default bron-<id>).", valueName: "user"))
    var bronUser: String?
    @Option(
        help: ArgumentHelp(
            "The bron's records (JSON, NDJSON or CSV, as for vum import): questions around them, answers compared with the evaluator's.",
            valueName: "path"))
    var data: [String] = []
    @Option(help: "Zoekvragen per dataset.") var vragen = 8
    @Option(help: ArgumentHelp("The deadline of each zoekvraag in milliseconds.", valueName: "ms")) var deadline = 5000
    @Option(help: ArgumentHelp("How long to wait for the bron's aanmelding or heartbeat, in seconds.", valueName: "s"))
    var wachtOpAanmelding = 15
    @OptionGroup var pc4: PC4Option

    func validate() throws {
        guard (try? BronID(validating: bron)) != nil else {
            throw ArgumentParser.ValidationError("--bron \(bron): a bron id is a-z 0-9 -")
        }
        guard (1...100).contains(vragen) else { throw ArgumentParser.ValidationError("--vragen: 1 to 100") }
        guard (100...60_000).contains(deadline) else {
            throw ArgumentParser.ValidationError("--deadline: 100 to 60000 ms")
        }
    }

    func run() async throws {
        let bronID = try BronID(validating: bron)
        let table: PC4Table
        do { table = try PC4Table.load(path: try pc4.resolved()) } catch let e as ArgumentParser.ValidationError {
            throw e
        } catch {
            throw ArgumentParser.ValidationError("the PC4 table: \(error)")
        }
        var tls: AMQPConfiguration.TLS?
        if let tlsCa {
            var t = AMQPConfiguration.TLS(caFile: tlsCa)
            t.certificateFile = tlsCertificate
            t.keyFile = tlsKey
            tls = t
        }
        var amqp: AMQPConfiguration
        do { amqp = try AMQPConfiguration(url: broker, tls: tls) } catch {
            throw ArgumentParser.ValidationError("--broker \(broker): \(error)")
        }
        if case .plain(let user, let password) = amqp.authentication, password.isEmpty {
            amqp.authentication = .plain(
                user: user, password: ProcessInfo.processInfo.environment["VUM_BROKER_PASSWORD"] ?? "")
        }
        amqp.connectionName = "vum-conformance"
        let ownUser: String = if case .plain(let user, _) = amqp.authentication { user } else { "aggregator" }
        var configuration = ConformanceConfiguration(bron: bronID, ownUser: ownUser)
        if let bronUser { configuration.bronUser = bronUser }
        configuration.questions = vragen
        configuration.deadline = .milliseconds(deadline)
        configuration.presenceWait = .seconds(wachtOpAanmelding)
        for file in data {
            let (werkzoekenden, vacatures) = try Self.load(file)
            configuration.werkzoekenden += werkzoekenden
            configuration.vacatures += vacatures
        }
        let connection: AMQPConnection
        do { connection = try await AMQPConnection.connect(amqp) } catch {
            FileHandle.standardError.write(Data("vum: cannot connect to the broker at \(broker): \(error)\n".utf8))
            throw ExitCode(1)
        }
        print(
            "checking bron \(bronID) through \(amqp.brokerAddress)"
                + (data.isEmpty
                    ? ""
                    : " against \(configuration.werkzoekenden.count + configuration.vacatures.count) of its records"))
        let results: [ConformanceCheck]
        do {
            results = try await ConformanceKit(configuration: configuration, connection: connection, table: table).run {
                print($0)
            }
        } catch {
            await connection.close()
            FileHandle.standardError.write(Data("vum: the kit could not run: \(error)\n".utf8))
            throw ExitCode(1)
        }
        await connection.close()
        let failed = results.filter { !$0.passed }.count
        print(failed == 0 ? "all \(results.count) checks passed" : "\(failed) of \(results.count) checks failed")
        if failed > 0 { throw ExitCode(1) }
    }

    /// Records from a file, validated; an invalid one is an error here (the bron should fix it first).
    static func load(_ path: String) throws -> ([Werkzoekende], [Vacature]) {
        let bytes: [UInt8]
        do { bytes = try FileContents.bytes(path) } catch {
            throw ArgumentParser.ValidationError("--data \(path): cannot read it: \(error)")
        }
        var werkzoekenden: [Werkzoekende] = []
        var vacatures: [Vacature] = []
        var problems: [String] = []
        do {
            _ = try RecordFile.scan(bytes, csv: path.hasSuffix(".csv")) { entry in
                do {
                    let json = try entry.json.get()
                    switch entry.gegevensset {
                    case .werkzoekenden?: werkzoekenden.append(try Werkzoekende(json: json))
                    case .vacatures?: vacatures.append(try Vacature(json: json))
                    case nil: problems.append("\(entry.position): neither idWerkzoekende nor idVacature")
                    }
                } catch {
                    problems.append("\(entry.position): \(error)")
                }
            }
        } catch {
            throw ArgumentParser.ValidationError("--data \(path): \(error)")
        }
        if let first = problems.first {
            throw ArgumentParser.ValidationError(
                "--data \(path): \(problems.count) invalid records (check with vum valideer), first: \(first)")
        }
        return (werkzoekenden, vacatures)
    }
}
