import AMQPClient
import Foundation
import Logging
import VUMConfiguration
import VUMExchange
import VUMStandaard

/// Everything `vum-aggregator` needs to run, read from a `key = value` file, `VUM_AGGREGATOR_*`
/// variables and `--set` (see ``KeyValueConfiguration``); ``keys`` lists every key with its default.
public struct AggregatorDaemonConfiguration: Sendable {
    public var service: AggregatorConfiguration
    public var broker: AMQPConfiguration
    public var registry: Registry
    public var requestStore: RequestStoreSettings
    public var vumIDSecret: Data
    /// The secret being rotated out (`vumid-previous-secret-file`): its vumIDs still resolve.
    public var previousVumIDSecret: Data?
    public var pc4TablePath: String
    public var httpHost: String
    public var httpPort: Int
    /// HTTPS for the REST API: the server's certificate and key, and the CA whose client certificates it
    /// requires (mutual TLS) when set. Nil: plain HTTP, for a TLS-terminating proxy in front or development.
    public var httpTLS: (certificate: String, key: String, clientCA: String?)?
    public var logLevel: Logger.Level

    public static let keys: [KeyValueConfiguration.Key] =
        [
            .init("exchange-oin", nil, "the exchange's own OIN (20 digits): X-VUM-toParty of requests"),
            .init("registry", nil, "the JSON file of bronnen and bemiddelaars (generated with the broker definitions)"),
        ] + KeyValueConfiguration.brokerKeys(user: "vum-aggregator") + [
            .init("http.host", "127.0.0.1", "the address the REST API listens on"),
            .init("http.port", "8080", "its port"),
            .init("http.tls.certificate", "", "HTTPS: the server certificate chain (PEM); empty: plain HTTP"),
            .init("http.tls.key", "", "HTTPS: the server's private key (PEM)"),
            .init(
                "http.tls.client-ca", "",
                "HTTPS: require client certificates signed by this CA (PEM); empty: none asked"),
        ] + RequestStoreSettings.keys + [
            .init(
                "vumid-secret-file", "",
                "a file of at least 32 bytes that seals vumIDs; empty: a random one (vumIDs die with a restart)",
                secret: true),
            .init(
                "vumid-previous-secret-file", "",
                "while rotating the vumID secret: the file of the secret it replaces, so vumIDs sealed with that "
                    + "one still resolve (new ones are sealed with vumid-secret-file); remove it once vumid-lifetime "
                    + "has passed",
                secret: true),
            .init(
                "instance", "",
                "this aggregator's name in the procesgegevens (1-60 of a-z A-Z 0-9 . _ -); default: the host name"),
            .init("pc4", "", "the PC4 centroid table (CSV pc4,lat,lon,name); default: $VUM_PC4_TABLE"),
            .init("deadline", "5s", "the deadline of a zoekvraag when the asker names none"),
            .init("max-deadline", "30s", "the longest deadline an asker may ask for"),
            .init("detail-limit", "10", "detail requests per zoekvraag; the next gets 429.01"),
            .init("detail-timeout", "10s", "how long a detail request waits for its bron"),
            .init("vumid-lifetime", "7d", "how long a zoekvraag's vumIDs stay usable"),
            .init("result-limit", "100", "the most matches asked of each bron"),
            .init("max-open-zoekvragen", "1000", "zoekvragen open at once; the next is refused 503 (busy)"),
            .init(
                "answer-memory", "16",
                "megabytes of bron answers open zoekvragen keep in memory; beyond it answers wait in a temporary file"),
            .init(
                "answer-park-directory", "",
                "where those answers wait (unnamed files, gone when the aggregator stops); empty: $TMPDIR or /tmp"),
            .init(
                "audit-confirm-grace", "2s",
                "how long after a zoekvraag closes its asker waits for the audit event's confirm (then 503)"),
            KeyValueConfiguration.logLevelKey,
        ]

    public static var reader: KeyValueConfiguration {
        KeyValueConfiguration(keys: keys, environmentPrefix: "VUM_AGGREGATOR_")
    }

    /// Builds the configuration from resolved values; every bad value is an error naming the key and where
    /// its value came from, and all of them are named at once (``ConfigurationProblems``).
    public init(_ c: KeyValueConfiguration, environment: [String: String] = [:]) throws(ConfigurationError) {
        var problems = ConfigurationProblems()
        let oin = problems.read { () throws(ConfigurationError) -> OIN in
            do { return try OIN(validating: try c.required("exchange-oin", "the exchange's OIN")) } catch let e
                as ConfigurationError
            {
                throw e
            } catch { throw c.fail("exchange-oin", "\(error)") }
        }
        let (broker, user) = problems.read(
            (AMQPConfiguration(host: "localhost", port: 5671, authentication: .external), "")
        ) { () throws(ConfigurationError) in
            try c.broker(connectionName: "vum-aggregator", defaultUser: "vum-aggregator")
        }
        self.broker = broker
        var service = AggregatorConfiguration(brokerUser: user, exchangeOIN: oin ?? Self.standInOIN)
        service.defaultDeadline = problems.read(service.defaultDeadline) { () throws(ConfigurationError) in
            try c.duration("deadline", atLeast: .milliseconds(100))
        }
        service.maximumDeadline = problems.read(service.maximumDeadline) { () throws(ConfigurationError) in
            try c.duration("max-deadline", atLeast: service.defaultDeadline)
        }
        service.detailLimit = problems.read(service.detailLimit) { () throws(ConfigurationError) in
            try c.int("detail-limit", 1...1_000)
        }
        service.maximumOpenZoekvragen = problems.read(service.maximumOpenZoekvragen) {
            () throws(ConfigurationError) in try c.int("max-open-zoekvragen", 1...1_000_000)
        }
        service.auditConfirmGrace = problems.read(service.auditConfirmGrace) { () throws(ConfigurationError) in
            try c.duration("audit-confirm-grace", atLeast: .milliseconds(10))
        }
        service.detailTimeout = problems.read(service.detailTimeout) { () throws(ConfigurationError) in
            try c.duration("detail-timeout", atLeast: .milliseconds(100))
        }
        service.vumIDLifetime = problems.read(service.vumIDLifetime) { () throws(ConfigurationError) in
            try c.duration("vumid-lifetime", atLeast: .seconds(60))
        }
        service.resultLimitPerBron = problems.read(service.resultLimitPerBron) { () throws(ConfigurationError) in
            try c.int("result-limit", 1...10_000)
        }
        service.answerMemoryBudget = problems.read(service.answerMemoryBudget) { () throws(ConfigurationError) in
            try c.int("answer-memory", 0...1_000_000) << 20
        }
        let parkDirectory =
            c.string("answer-park-directory").isEmpty
            ? (environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp") : c.string("answer-park-directory")
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: parkDirectory, isDirectory: &isDirectory)
            || !isDirectory.boolValue || !FileManager.default.isWritableFile(atPath: parkDirectory)
        {
            problems.note(
                c.fail("answer-park-directory", "\(parkDirectory) is not a directory the aggregator can write to"))
        }
        service.answerParkDirectory = parkDirectory

        registry = problems.read(Registry()) { () throws(ConfigurationError) -> Registry in
            let registryPath = try c.required("registry", "the registry of bronnen and bemiddelaars (JSON)")
            let registryJSON: JSONValue
            do { registryJSON = try JSONValue.parse(try FileContents.bytes(registryPath)) } catch let e as FileError {
                throw c.fail("registry", "cannot read \(registryPath): \(e)")
            } catch {
                throw c.fail("registry", "\(registryPath) is not JSON: \(error)")
            }
            do { return try Registry(json: registryJSON) } catch {
                throw c.fail("registry", "\(registryPath): \(error)")
            }
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        if c.string("instance").isEmpty {
            // The host name, with anything outside the allowed characters as `-`: a default never stops a start.
            let host = String(ProcessInfo.processInfo.hostName.map { allowed.contains($0) ? $0 : "-" }.prefix(60))
            service.instance = host.isEmpty ? "aggregator" : host
        } else {
            let instance = c.string("instance")
            if !(1...60).contains(instance.count) || !instance.allSatisfy(allowed.contains) {
                problems.note(c.fail("instance", "\"\(instance)\" is not 1-60 of a-z A-Z 0-9 . _ -"))
            }
            service.instance = instance
        }
        requestStore = RequestStoreSettings(c, problems: &problems)
        vumIDSecret = VumIDs.randomSecret()
        if c.string("vumid-secret-file").isEmpty {
            if requestStore.isShared {
                problems.note(
                    c.fail(
                        "vumid-secret-file",
                        "is required with a shared request store: every aggregator that "
                            + "shares it must seal vumIDs with the same secret"))
            }
        } else if let secret = problems.read({ () throws(ConfigurationError) in
            try Self.secret(c, "vumid-secret-file")
        }) {
            vumIDSecret = secret
        }
        if !c.string("vumid-previous-secret-file").isEmpty {
            if c.string("vumid-secret-file").isEmpty {
                problems.note(
                    c.fail(
                        "vumid-previous-secret-file", "needs vumid-secret-file: the secret that replaces this one"))
            } else if let previous = problems.read({ () throws(ConfigurationError) in
                try Self.secret(c, "vumid-previous-secret-file")
            }) {
                if previous == vumIDSecret {
                    problems.note(
                        c.fail(
                            "vumid-previous-secret-file",
                            "holds the same secret as vumid-secret-file: put the new secret in vumid-secret-file"))
                }
                previousVumIDSecret = previous
            }
        }
        pc4TablePath = c.string("pc4").isEmpty ? environment["VUM_PC4_TABLE"] ?? "" : c.string("pc4")
        if pc4TablePath.isEmpty {
            problems.note(c.fail("pc4", "is required: the PC4 centroid table (or set VUM_PC4_TABLE)"))
        }
        httpHost = c.string("http.host")
        httpPort = problems.read(8080) { () throws(ConfigurationError) in try c.int("http.port", 0...65_535) }
        let (certificate, key, clientCA) = (
            c.string("http.tls.certificate"), c.string("http.tls.key"), c.string("http.tls.client-ca")
        )
        if certificate.isEmpty != key.isEmpty {
            problems.note(c.fail("http.tls.key", "http.tls.certificate and http.tls.key go together"))
        }
        if certificate.isEmpty, !clientCA.isEmpty {
            problems.note(c.fail("http.tls.client-ca", "needs http.tls.certificate and http.tls.key"))
        }
        for (k, path) in [
            ("http.tls.certificate", certificate), ("http.tls.key", key), ("http.tls.client-ca", clientCA),
        ]
        where !path.isEmpty {
            do { _ = try FileContents.bytes(path) } catch { problems.note(c.fail(k, "cannot read \(path): \(error)")) }
        }
        httpTLS = certificate.isEmpty ? nil : (certificate, key, clientCA.isEmpty ? nil : clientCA)
        logLevel = problems.read(.info) { () throws(ConfigurationError) in try c.logLevel() }
        self.service = service
        try problems.throwIfAny()
    }

    /// Stands in for an exchange OIN that cannot be read, so the other keys are still checked.
    static var standInOIN: OIN { try! OIN(validating: "00000000000000000000") }

    /// A secret of at least 32 bytes from the file that `key` names.
    static func secret(_ c: KeyValueConfiguration, _ key: String) throws(ConfigurationError) -> Data {
        let path = c.string(key)
        let secret: [UInt8]
        do { secret = try FileContents.bytes(path) } catch { throw c.fail(key, "cannot read \(path): \(error)") }
        guard secret.count >= 32 else {
            throw c.fail(key, "\(path) holds \(secret.count) bytes; a secret needs at least 32")
        }
        return Data(secret)
    }
}
