import AMQPClient
import Foundation
import Logging
import VUMConfiguration
import VUMExchange

/// Everything `vum-audit` needs to consume, from a `key = value` file, `VUM_AUDIT_*` variables and `--set`.
public struct AuditDaemonConfiguration: Sendable {
    public var service: AuditServiceConfiguration
    public var broker: AMQPConfiguration
    public var storePath: String
    public var checkpointInterval: Int64
    public var logLevel: Logger.Level

    public static let keys: [KeyValueConfiguration.Key] =
        [
            .init("store", "audit.sqlite", "the SQLite file of the audit trail"),
            .init(
                "queue", Topology.audit,
                "the queue to consume: vum.audit, or the auditor's own queue bound to vum.procesgegevens"),
        ] + KeyValueConfiguration.brokerKeys(user: "auditor") + [
            .init("prefetch", "500", "unacknowledged events at once; also the largest batch per commit"),
            .init("checkpoint-interval", "10000", "a checkpoint of the chain every this many events"),
            KeyValueConfiguration.logLevelKey,
        ]

    public static var reader: KeyValueConfiguration {
        KeyValueConfiguration(keys: keys, environmentPrefix: "VUM_AUDIT_")
    }

    public init(_ c: KeyValueConfiguration, environment: [String: String] = [:]) throws(ConfigurationError) {
        (broker, _) = try c.broker(connectionName: "vum-audit", defaultUser: "auditor")
        service = AuditServiceConfiguration()
        service.queue = c.string("queue")
        guard !service.queue.isEmpty else { throw c.fail("queue", "is empty") }
        service.prefetch = UInt16(try c.int("prefetch", 1...65_535))
        storePath = c.string("store")
        guard !storePath.isEmpty else { throw c.fail("store", "is empty") }
        checkpointInterval = Int64(try c.int("checkpoint-interval", 1...100_000_000))
        let level = try c.logLevel()
        logLevel = level
    }
}
