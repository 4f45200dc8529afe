import Crypto
import Foundation
import Testing
import VUMAdapter
import VUMAggregator
import VUMAudit
import VUMConfiguration
import VUMExchange
import VUMStandaard

@testable import VUMDeploy

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func example() throws -> Federatie {
    try Federatie(contentsOf: repositoryRoot.appendingPathComponent("deploy/federatie.example.yaml").path)
}

extension JSONValue {
    subscript(key: String) -> JSONValue? { if case .object(let o) = self { o[key] } else { nil } }
    var items: [JSONValue] { if case .array(let a) = self { a } else { [] } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
}

@Suite("vum deploy definitions: federatie file, broker definitions, registry")
struct DefinitionsTests {
    @Test("the example federatie reads, and its parties become users with the permissions of ARCHITECTURE.md")
    func permissions() throws {
        let f = try example()
        #expect(f.bronnen.map(\.id.rawValue) == ["gemeente-utrecht", "uwv", "uitzend-noord"])
        let json = BrokerDefinitions(f).json
        let byUser = Dictionary(uniqueKeysWithValues: json["permissions"]!.items.map { ($0["user"]!.string!, $0) })
        func p(_ user: String) -> [String] {
            ["configure", "write", "read"].map { byUser[user]?[$0]?.string ?? "MISSING" }
        }
        #expect(p("bron-uwv") == ["^$", #"^(vum\.antwoorden|vum\.aanmeldingen)$"#, #"^(vum\.bron\.uwv)$"#])
        #expect(p("auditor-operator") == ["^$", "^$", #"^(vum\.audit)$"#])
        #expect(p("auditor-inspectie") == ["^$", "^$", #"^(vum\.audit\.inspectie)$"#])
        #expect(p("bemiddelaar-uwv") == [#"^amq\.gen-.*$"#, #"^(amq\.gen-.*|vum\.verzoeken)$"#, #"^amq\.gen-.*$"#])
        #expect(p("aggregator")[0] == #"^amq\.gen-.*$"#)
        #expect(p("aggregator")[1].contains(#"vum\.zoekvragen"#) && !p("aggregator")[1].contains("bron"))
        #expect(p("operator") == [".*", ".*", ".*"])
        // Users log in by certificate: no password hash, administrator only for the operator.
        for user in json["users"]!.items {
            #expect(user["password_hash"]?.string == "")
            #expect((user["tags"]?.items.count ?? 0) == (user["name"]?.string == "operator" ? 1 : 0))
        }
        // Each bron queue dead-letters to vum.dlx and is bound to both exchanges.
        let queues = Dictionary(uniqueKeysWithValues: json["queues"]!.items.map { ($0["name"]!.string!, $0) })
        #expect(queues["vum.bron.uwv"]?["arguments"]?["x-dead-letter-exchange"]?.string == "vum.dlx")
        #expect(queues["vum.bron.uwv"]?["arguments"]?["x-queue-type"]?.string == "classic")
        let bindings = json["bindings"]!.items.map {
            "\($0["source"]!.string!) -> \($0["destination"]!.string!) [\($0["routing_key"]!.string!)]"
        }
        #expect(bindings.contains("vum.zoekvragen -> vum.bron.uwv []"))
        #expect(bindings.contains("vum.detailverzoeken -> vum.bron.uwv [uwv]"))
        #expect(bindings.contains("vum.procesgegevens -> vum.audit.inspectie [#]"))
    }

    @Test("in a cluster every queue is a quorum queue")
    func cluster() throws {
        var f = try example()
        f.cluster = true
        let types = BrokerDefinitions(f).json["queues"]!.items.compactMap { $0["arguments"]?["x-queue-type"]?.string }
        #expect(!types.isEmpty && types.allSatisfy { $0 == "quorum" })
    }

    @Test("the registry generated from the same file is what vum-aggregator reads")
    func registry() throws {
        let registry = try Registry(json: BrokerDefinitions(try example()).registry)
        #expect(registry.bronnen[try BronID(validating: "uwv")] == "bron-uwv")
        let uwv = try #require(registry.bemiddelaars[try OIN(validating: "00000001003214345000")])
        #expect(uwv.suwi && uwv.brokerUser == "bemiddelaar-uwv")
        #expect(registry.refusal(of: try OIN(validating: "00000003012345678000"), for: .werkzoekenden)?.code == "403")
    }

    @Test("adding a partner changes only its own lines")
    func addingAPartner() throws {
        let before = try example()
        var after = before
        after.bronnen.append(
            .init(
                id: try BronID(validating: "gemeente-zeist"), naam: "Gemeente Zeist", oin: nil,
                gegevenssets: [.werkzoekenden]))
        let changes =
            DefinitionsChanges.between(
                old: BrokerDefinitions(before).json, new: BrokerDefinitions(after).json, kind: "definitions")
            + DefinitionsChanges.between(
                old: BrokerDefinitions(before).registry, new: BrokerDefinitions(after).registry, kind: "registry")
        #expect(
            changes.sorted() == [
                "added definitions bindings: vum.detailverzoeken vum.bron.gemeente-zeist gemeente-zeist",
                "added definitions bindings: vum.zoekvragen vum.bron.gemeente-zeist ",
                "added definitions permissions: bron-gemeente-zeist",
                "added definitions queues: vum.bron.gemeente-zeist",
                "added definitions users: bron-gemeente-zeist",
                "added registry bronnen: gemeente-zeist",
            ])
        #expect(
            DefinitionsChanges.between(
                old: BrokerDefinitions(before).json, new: BrokerDefinitions(before).json, kind: "d"
            ).isEmpty)
        // The same input gives the same bytes.
        #expect(BrokerDefinitions(before).json.serializedPretty() == BrokerDefinitions(before).json.serializedPretty())
    }

    @Test("development passwords are stored as RabbitMQ's salted SHA-256 and are different per user")
    func passwords() throws {
        let f = try example()
        let passwords = BrokerDefinitions.randomPasswords(for: BrokerDefinitions(f).users)
        #expect(Set(passwords.values).count == passwords.count)
        let users = BrokerDefinitions(f, developmentPasswords: passwords).json["users"]!.items
        for user in users {
            let name = user["name"]!.string!
            let hash = try #require(Data(base64Encoded: user["password_hash"]!.string!))
            let salt = Array(hash.prefix(4))
            #expect(
                Array(hash.dropFirst(4)) == Array(SHA256.hash(data: salt + Array(passwords[name]!.utf8))), "\(name)")
        }
    }

    @Test(
        "a wrong federatie file is an error with its line and path",
        arguments: [
            ("bronnen:\n  - id: Gemeente\n    gegevenssets: [werkzoekenden]\n", "line 2: bronnen[0].id:"),
            (
                "bronnen:\n  - id: a\n    gegevenssets: [personen]\n",
                "bronnen[0].gegevenssets: \"personen\" is not werkzoekenden or vacatures"
            ),
            (
                "bronnen:\n  - id: a\n    gegevenssets: [vacatures]\n  - id: a\n    gegevenssets: [vacatures]\n",
                "bronnen[1].id: bron a is listed twice"
            ),
            (
                "bronnen:\n  - id: a\n    gegevenssets: [vacatures]\n    oin: 1002220647000\n",
                "line 4: bronnen[0].oin: \"1002220647000\" is not an OIN"
            ),
            ("bronen:\n  - id: a\n", "line 1: bronen: unknown key"),
            (
                "bronnen:\n  - id: a\n    gegevenssets: [vacatures]\nbemiddelaars:\n  - oin: \"00000001002220647000\"\n    gegevenssets: [vacatures]\n",
                "bemiddelaars[0].suwi: true or false is required"
            ),
            (
                "bronnen:\n  - id: a\n    gegevenssets: [vacatures]\nauditors:\n  - naam: x\n  - naam: y\n",
                "auditors[1].eigenQueue: x already reads vum.audit"
            ),
            ("bronnen: []\n", "at least one bron"),
            (
                "bronnen:\n  - id: a\n    gegevenssets: [vacatures]\naggregator: bron-a\n",
                "broker user bron-a would be made twice"
            ),
        ])
    func errors(yaml: String, message: String) {
        do {
            _ = try Federatie(yaml: yaml, file: "f.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }
}

@Suite("deploy/: the example configurations use only keys the daemons know")
struct DeployExampleTests {
    @Test(
        "aggregator.conf, adapter-*.conf and audit.conf resolve without an unknown key",
        arguments: [
            "aggregator.conf", "adapter-gemeente-utrecht.conf", "audit.conf",
        ])
    func exampleConfiguration(file: String) throws {
        let path = repositoryRoot.appendingPathComponent("deploy/config/\(file)").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var reader =
            file.hasPrefix("aggregator")
            ? AggregatorDaemonConfiguration.reader
            : file.hasPrefix("adapter") ? AdapterDaemonConfiguration.reader : AuditDaemonConfiguration.reader
        try reader.resolve(fileText: text, filePath: path, environment: [:], overrides: [])
        #expect(reader.string("broker.url").hasPrefix("amqps://"), "production examples use certificate login")
        #expect(!reader.string("tls.certificate").isEmpty && !reader.string("tls.key").isEmpty)
    }

    @Test("the production rabbitmq.conf is TLS only, requires client certificates and logs in by certificate")
    func rabbitmqConf() throws {
        let text = try String(
            contentsOfFile: repositoryRoot.appendingPathComponent("deploy/rabbitmq/rabbitmq.conf").path, encoding: .utf8
        )
        let lines = Set(
            text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") })
        for required in [
            "listeners.tcp = none", "ssl_options.verify     = verify_peer", "ssl_options.fail_if_no_peer_cert = true",
            "auth_mechanisms.1 = EXTERNAL", "ssl_cert_login_from = common_name",
            "load_definitions = /etc/vum/generated/definitions.json",
        ] {
            #expect(lines.contains(required), "missing: \(required)")
        }
        #expect(!lines.contains { $0.hasPrefix("auth_mechanisms.2") }, "only EXTERNAL")
    }
}
