import AMQPClient
import Foundation
import Logging
import VUMConfiguration
import VUMExchange
import VUMStandaard

extension AdapterDaemonConfiguration {
    /// Every key of `vum-adapter`'s configuration, with its default (`nil`: required) and what it sets;
    /// read as ``KeyValueConfiguration`` describes, with the environment prefix `VUM_ADAPTER_`.
    public static let keys: [KeyValueConfiguration.Key] = [
        .init("bron", nil, "the bron id, lower case letters, digits and '-' (its queue is vum.bron.<bron>)"),
        .init("gegevenssets", nil, "the datasets it answers for: werkzoekenden, vacatures, or both comma-separated"),
    ] + KeyValueConfiguration.brokerKeys(user: "bron-<bron>") + [
        .init("store", "bron.sqlite", "the SQLite store file (created when missing; fill it with vum import)"),
        .init("pc4", "", "the PC4 centroid table (CSV pc4,lat,lon,name); default: $VUM_PC4_TABLE"),
        .init("result-limit", "100", "the most matches per zoekvraag, whatever the question asks"),
        .init("contact-data", "release", "release or withhold: whether details carry contact data the record allows"),
        .init("prefetch", "16", "unacknowledged messages the broker may hand the adapter at once"),
        .init("concurrency", "4", "questions worked on at the same time"),
        .init("heartbeat", "5s", "time between heartbeats on vum.aanmeldingen (ms, s or m)"),
        .init("max-message-size", "1048576", "messages larger than this many bytes are refused"),
        KeyValueConfiguration.logLevelKey,
    ]

    /// The reader for these keys.
    public static var reader: KeyValueConfiguration { KeyValueConfiguration(keys: keys, environmentPrefix: "VUM_ADAPTER_") }

    /// Builds the configuration from resolved values; every bad value is an error naming the key and
    /// where its value came from.
    public init(_ c: KeyValueConfiguration, environment: [String: String] = [:]) throws(ConfigurationError) {
        let bron: BronID
        do { bron = try BronID(validating: try c.required("bron", "the bron id, for example gemeente-utrecht")) } catch let e as ConfigurationError {
            throw e
        } catch { throw c.fail("bron", "\(error)") }
        var sets: Set<Gegevensset> = []
        for part in c.string("gegevenssets").split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let g = Gegevensset(rawValue: name) else {
                throw c.fail("gegevenssets", "\"\(name)\" is not werkzoekenden or vacatures")
            }
            sets.insert(g)
        }
        guard !sets.isEmpty else { throw c.fail("gegevenssets", "is required: werkzoekenden, vacatures, or both") }
        let (broker, user) = try c.broker(connectionName: "vum-adapter \(bron)", defaultUser: bron.brokerUser)

        var service = AdapterConfiguration(bron: bron)
        service.brokerUser = user
        service.resultLimit = try c.int("result-limit", 1...10_000)
        switch c.string("contact-data") {
        case "release": service.releaseContactData = true
        case "withhold": service.releaseContactData = false
        default: throw c.fail("contact-data", "\"\(c.string("contact-data"))\" is not release or withhold")
        }
        service.prefetch = UInt16(try c.int("prefetch", 1...65_535))
        service.concurrency = try c.int("concurrency", 1...1_000)
        service.heartbeatInterval = try c.duration("heartbeat", atLeast: .milliseconds(100))
        service.maximumMessageSize = try c.int("max-message-size", 1_024...(128 << 20))

        let pc4 = c.string("pc4").isEmpty ? environment["VUM_PC4_TABLE"] ?? "" : c.string("pc4")
        guard !pc4.isEmpty else { throw c.fail("pc4", "is required: the PC4 centroid table (or set VUM_PC4_TABLE)") }
        let level = try c.logLevel()
        self.init(service: service, broker: broker, gegevenssets: sets, storePath: c.string("store"), pc4TablePath: pc4,
                  logLevel: level)
    }
}
