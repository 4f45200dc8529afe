import AMQPClient
import Logging
import VUMExchange
import VUMStandaard

/// Everything `vum-adapter` needs to run: the service's settings plus where the broker, the store and the
/// PC4 table are. Read from a file, the environment and the command line by
/// ``init(file:environment:overrides:)``, whose documentation lists every key.
public struct AdapterDaemonConfiguration: Sendable {
    public var service: AdapterConfiguration
    public var broker: AMQPConfiguration
    /// The datasets the bron answers for.
    public var gegevenssets: Set<Gegevensset>
    /// The SQLite store file.
    public var storePath: String
    /// The PC4 centroid table (CSV).
    public var pc4TablePath: String
    public var logLevel: Logger.Level

    public init(service: AdapterConfiguration, broker: AMQPConfiguration, gegevenssets: Set<Gegevensset>,
                storePath: String, pc4TablePath: String, logLevel: Logger.Level = .info) {
        self.service = service
        self.broker = broker
        self.gegevenssets = gegevenssets
        self.storePath = storePath
        self.pc4TablePath = pc4TablePath
        self.logLevel = logLevel
    }
}
