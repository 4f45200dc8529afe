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
    /// Where the records are: the SQLite store (default), the partner's PostgreSQL, or its REST endpoint.
    public var source: SourceSettings
    /// The SQLite store file (also for `source = sqlite`).
    public var storePath: String { if case .sqlite(let path) = source { path } else { "" } }
    /// The PC4 centroid table (CSV).
    public var pc4TablePath: String
    public var logLevel: Logger.Level
    /// Added before every answer of the source (``DelayedSource``): benchmarks and drills only. Default zero.
    public var sourceDelay: Duration = .zero

    public init(
        service: AdapterConfiguration, broker: AMQPConfiguration, gegevenssets: Set<Gegevensset>,
        source: SourceSettings, pc4TablePath: String, logLevel: Logger.Level = .info
    ) {
        self.service = service
        self.broker = broker
        self.gegevenssets = gegevenssets
        self.source = source
        self.pc4TablePath = pc4TablePath
        self.logLevel = logLevel
    }
}
