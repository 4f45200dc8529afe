import Crypto
import Foundation
import VUMExchange
import VUMStandaard

/// The RabbitMQ definitions of a federation (ARCHITECTURE.md sections 3 and 6): vhost `vum`, the
/// exchanges, the queues with dead-lettering and their type (classic on one node, quorum in a cluster),
/// the bindings, one user per party without a password (certificate login, the user is the certificate's
/// common name) and the permissions table. Loaded at boot (`load_definitions` in rabbitmq.conf) or with
/// `rabbitmqctl import_definitions`.
///
/// Deterministic: the same federatie gives the same bytes, and adding a partner adds its lines and
/// changes no other.
public struct BrokerDefinitions: Sendable {
    public let federatie: Federatie
    /// Development only: a password per user, hashed into the definitions, so daemons can log in with
    /// `amqp://user@host` on a machine without certificates.
    public let passwords: [String: String]

    public init(_ federatie: Federatie, developmentPasswords: [String: String] = [:]) {
        self.federatie = federatie
        passwords = developmentPasswords
    }

    /// Every broker user of the federation, in a fixed order.
    public var users: [String] {
        [federatie.operatorUser, federatie.aggregatorUser] + federatie.bronnen.map(\.brokerUser)
            + federatie.bemiddelaars.compactMap(\.brokerUser) + federatie.auditors.map(\.brokerUser)
    }

    /// A random password per user, for `developmentPasswords`.
    public static func randomPasswords(for users: [String]) -> [String: String] {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return Dictionary(
            uniqueKeysWithValues: users.map { user in
                (user, String((0..<24).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }))
            })
    }

    /// `rabbit_password_hashing_sha256`: base64(salt ++ SHA-256(salt ++ password)) with a 4-byte salt.
    static func passwordHash(_ password: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(salt + Array(SHA256.hash(data: salt + Array(password.utf8)))).base64EncodedString()
    }

    static func escape(_ name: String) -> String { name.replacingOccurrences(of: ".", with: "\\.") }
    static func anyOf(_ names: [String]) -> String {
        names.isEmpty ? "^$" : "^(" + names.map(escape).joined(separator: "|") + ")$"
    }

    var vhost: String { Topology.virtualHost }
    var queueType: String { federatie.cluster ? "quorum" : "classic" }

    public var json: JSONValue {
        let f = federatie
        let users: [JSONValue] = self.users.map { user in
            var o = JSONObject([
                ("name", .string(user)),
                ("password_hash", .string(passwords[user].map(Self.passwordHash) ?? "")),
                ("hashing_algorithm", .string("rabbit_password_hashing_sha256")),
            ])
            o["tags"] = .array(user == f.operatorUser ? [.string("administrator")] : [])
            return .object(o)
        }
        func permission(_ user: String, configure: String, write: String, read: String) -> JSONValue {
            .object(
                JSONObject([
                    ("user", .string(user)), ("vhost", .string(vhost)), ("configure", .string(configure)),
                    ("write", .string(write)), ("read", .string(read)),
                ]))
        }
        var permissions = [permission(f.operatorUser, configure: ".*", write: ".*", read: ".*")]
        // The aggregator writes to the default exchange only to answer bus-native bemiddelaars at their
        // reply_to (a server-named queue): it is the operator's own component (Docs/operations.md).
        permissions.append(
            permission(
                f.aggregatorUser, configure: "^amq\\.gen-.*$",
                write: "^(amq\\.gen-.*|amq\\.default|"
                    + [
                        Topology.zoekvragen, Topology.detailverzoeken, Topology.procesgegevens,
                        Topology.antwoorden,
                    ].map(Self.escape).joined(separator: "|") + ")$",
                read: "^(amq\\.gen-.*|"
                    + [Topology.antwoorden, Topology.aanmeldingen, Topology.verzoeken].map(Self.escape)
                    .joined(separator: "|") + ")$"))
        for b in f.bronnen {
            permissions.append(
                permission(
                    b.brokerUser, configure: "^$", write: Self.anyOf([Topology.antwoorden, Topology.aanmeldingen]),
                    read: Self.anyOf([Topology.bronQueue(b.id)])))
        }
        for b in f.bemiddelaars {
            guard let user = b.brokerUser else { continue }
            permissions.append(
                permission(
                    user, configure: "^amq\\.gen-.*$", write: "^(amq\\.gen-.*|vum\\.verzoeken)$",
                    read: "^amq\\.gen-.*$"))
        }
        for a in f.auditors {
            permissions.append(permission(a.brokerUser, configure: "^$", write: "^$", read: Self.anyOf([a.queue])))
        }

        func exchange(_ name: String, _ type: String) -> JSONValue {
            .object(
                JSONObject([
                    ("name", .string(name)), ("vhost", .string(vhost)), ("type", .string(type)),
                    ("durable", .bool(true)), ("auto_delete", .bool(false)), ("internal", .bool(false)),
                    ("arguments", .object(JSONObject())),
                ]))
        }
        let exchanges = [
            exchange(Topology.zoekvragen, "fanout"), exchange(Topology.detailverzoeken, "direct"),
            exchange(Topology.antwoorden, "direct"), exchange(Topology.aanmeldingen, "fanout"),
            exchange(Topology.verzoeken, "direct"), exchange(Topology.procesgegevens, "topic"),
            exchange(Topology.deadLetterExchange, "fanout"),
        ]

        func queue(_ name: String, type: String, deadLetters: Bool) -> JSONValue {
            var arguments = JSONObject([("x-queue-type", .string(type))])
            if deadLetters { arguments["x-dead-letter-exchange"] = .string(Topology.deadLetterExchange) }
            return .object(
                JSONObject([
                    ("name", .string(name)), ("vhost", .string(vhost)), ("durable", .bool(true)),
                    ("auto_delete", .bool(false)), ("arguments", .object(arguments)),
                ]))
        }
        var queues = f.bronnen.map { queue(Topology.bronQueue($0.id), type: queueType, deadLetters: true) }
        queues.append(queue(Topology.verzoeken, type: queueType, deadLetters: true))
        let auditQueues = Set([Topology.audit] + f.auditors.map(\.queue)).sorted()
        queues += auditQueues.map { queue($0, type: queueType, deadLetters: false) }
        queues.append(queue(Topology.deadLetterQueue, type: queueType, deadLetters: false))

        func binding(_ source: String, _ destination: String, _ key: String) -> JSONValue {
            .object(
                JSONObject([
                    ("source", .string(source)), ("vhost", .string(vhost)), ("destination", .string(destination)),
                    ("destination_type", .string("queue")), ("routing_key", .string(key)),
                    ("arguments", .object(JSONObject())),
                ]))
        }
        var bindings: [JSONValue] = []
        for b in f.bronnen {
            bindings.append(binding(Topology.zoekvragen, Topology.bronQueue(b.id), ""))
            bindings.append(binding(Topology.detailverzoeken, Topology.bronQueue(b.id), b.id.rawValue))
        }
        bindings.append(binding(Topology.verzoeken, Topology.verzoeken, ""))
        bindings += auditQueues.map { binding(Topology.procesgegevens, $0, "#") }
        bindings.append(binding(Topology.deadLetterExchange, Topology.deadLetterQueue, ""))

        return .object(
            JSONObject([
                ("users", .array(users)), ("vhosts", .array([.object(JSONObject([("name", .string(vhost))]))])),
                ("permissions", .array(permissions)), ("topic_permissions", .array([])), ("parameters", .array([])),
                ("global_parameters", .array([])), ("policies", .array([])), ("queues", .array(queues)),
                ("exchanges", .array(exchanges)), ("bindings", .array(bindings)),
            ]))
    }

    /// The aggregator's registry (the `registry` key of its configuration), from the same federatie.
    public var registry: JSONValue {
        let f = federatie
        return .object(
            JSONObject([
                (
                    "bronnen",
                    .array(
                        f.bronnen.map { b in
                            var o = JSONObject([
                                ("id", .string(b.id.rawValue)), ("brokerUser", .string(b.brokerUser)),
                                ("naam", .string(b.naam)),
                            ])
                            if let oin = b.oin { o["oin"] = .string(oin.rawValue) }
                            o["gegevenssets"] = .array(b.gegevenssets.map { .string($0.rawValue) })
                            return .object(o)
                        })
                ),
                (
                    "bemiddelaars",
                    .array(
                        f.bemiddelaars.map { b in
                            var o = JSONObject([
                                ("oin", .string(b.oin.rawValue)), ("naam", .string(b.naam)), ("suwi", .bool(b.suwi)),
                                ("gegevenssets", .array(b.gegevenssets.map { .string($0.rawValue) })),
                            ])
                            if let user = b.brokerUser { o["brokerUser"] = .string(user) }
                            return .object(o)
                        })
                ),
                ("werkzoekendenVoorNietSuwi", .bool(f.werkzoekendenVoorNietSuwi)),
            ]))
    }
}
