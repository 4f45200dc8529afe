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
            .init(
                "status-interval", "15m",
                "time between status lines in the log: events stored since the last line, and whether the broker "
                    + "is connected (0s: none)"),
            KeyValueConfiguration.logLevelKey,
        ]

    public static var reader: KeyValueConfiguration {
        KeyValueConfiguration(keys: keys, environmentPrefix: "VUM_AUDIT_")
    }

    /// Builds the configuration from resolved values; every bad value is an error naming the key and where
    /// its value came from, and all of them are named at once (``ConfigurationProblems``).
    public init(_ c: KeyValueConfiguration, environment: [String: String] = [:]) throws(ConfigurationError) {
        var problems = ConfigurationProblems()
        (broker, _) = problems.read((AMQPConfiguration(host: "localhost", port: 5671, authentication: .external), "")) {
            () throws(ConfigurationError) in
            try c.broker(connectionName: "vum-audit", defaultUser: "auditor")
        }
        service = AuditServiceConfiguration()
        service.queue = c.string("queue")
        if service.queue.isEmpty { problems.note(c.fail("queue", "is empty")) }
        service.prefetch = problems.read(service.prefetch) { () throws(ConfigurationError) in
            UInt16(try c.int("prefetch", 1...65_535))
        }
        storePath = c.string("store")
        if storePath.isEmpty { problems.note(c.fail("store", "is empty")) }
        checkpointInterval = problems.read(10_000) { () throws(ConfigurationError) in
            Int64(try c.int("checkpoint-interval", 1...100_000_000))
        }
        service.statusInterval = problems.read(service.statusInterval) { () throws(ConfigurationError) in
            try c.optionalPeriod("status-interval", atLeast: .seconds(1))
        }
        logLevel = problems.read(.info) { () throws(ConfigurationError) in try c.logLevel() }
        try problems.throwIfAny()
    }
}
