import AMQPClient
import Foundation

/// The private test broker, as `scripts/broker.sh` describes it in its variables (`RABBITMQ_*`).
///
/// Defaults match a node on localhost:5672 with the test users; every test that needs the broker reads
/// these and, when the broker is not there, fails with a message that says how to start one.
public struct BrokerEnvironment: Sendable {
    public var host: String
    public var port: Int
    public var tlsPort: Int?
    public var user: String
    public var password: String
    public var caFile: String?
    public var clientCertificate: String?
    public var clientKey: String?
    public var rogueCertificate: String?
    public var rogueKey: String?
    /// The folder of the node (for `scripts/broker.sh ctl`), when known.
    public var brokerDirectory: String?
    /// The node's Erlang name (`name@localhost`), when known.
    public var nodeName: String?

    public init(_ environment: [String: String] = ProcessInfo.processInfo.environment) {
        host = environment["RABBITMQ_HOST"] ?? "localhost"
        port = environment["RABBITMQ_PORT"].flatMap(Int.init) ?? 5672
        tlsPort = environment["RABBITMQ_TLS_PORT"].flatMap(Int.init)
        user = environment["RABBITMQ_USER"] ?? "vum-admin"
        password = environment["RABBITMQ_PASSWORD"] ?? "vum-admin"
        caFile = environment["RABBITMQ_CA_FILE"]
        clientCertificate = environment["RABBITMQ_CLIENT_CERT"]
        clientKey = environment["RABBITMQ_CLIENT_KEY"]
        rogueCertificate = environment["RABBITMQ_ROGUE_CERT"]
        rogueKey = environment["RABBITMQ_ROGUE_KEY"]
        brokerDirectory = environment["VUM_BROKER_DIR"]
        nodeName = environment["RABBITMQ_NODENAME"]
    }

    /// Reads the variables a `scripts/broker.sh start --dir DIR` wrote to `DIR/broker.env`.
    public init(brokerDirectory dir: String) throws {
        let text = try String(contentsOfFile: dir + "/broker.env", encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        self.init(values)
    }

    /// Plain TCP with PLAIN login as the test administrator.
    public func configuration(virtualHost: String = "/") -> AMQPConfiguration {
        var c = AMQPConfiguration(
            host: host, port: port, virtualHost: virtualHost,
            authentication: .plain(user: user, password: password))
        c.connectTimeout = .seconds(5)
        return c
    }

    /// What to say when the broker cannot be reached.
    public var unreachableHint: String {
        "no RabbitMQ at \(host):\(port): run the tests with scripts/test.sh, which starts a private broker "
            + "(or start one with scripts/broker.sh start --dir DIR and export its DIR/broker.env)"
    }
}
