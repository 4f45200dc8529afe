import AMQPClient
import Foundation
import Logging
import VUMExchange
import VUMStandaard

extension AdapterDaemonConfiguration {
    /// Every key of the configuration, with its default (`nil`: required) and what it sets. The file, the
    /// environment (`VUM_ADAPTER_` + the key in capitals with `.` and `-` as `_`) and the command line
    /// (`--set key=value`) use the same keys; the command line overrides the environment, which overrides
    /// the file, which overrides the defaults.
    public static let keys: [(key: String, defaultValue: String?, help: String)] = [
        ("bron", nil, "the bron id, lower case letters, digits and '-' (its queue is vum.bron.<bron>)"),
        ("gegevenssets", nil, "the datasets it answers for: werkzoekenden, vacatures, or both comma-separated"),
        ("broker.url", "amqps://localhost:5671/vum",
         "amqps://host:port/vhost (certificate login) or amqp://user@host:port/vhost (development only)"),
        ("broker.password", "", "the password for amqp:// login; better set in the environment than in the file"),
        ("broker.user", "", "the broker user messages are sent as (user_id); default: the URL's user, else bron-<bron>"),
        ("tls.ca", "", "CA certificate file (PEM) that signed the broker's certificate; required for amqps"),
        ("tls.certificate", "", "the bron's client certificate (PEM) for certificate login"),
        ("tls.key", "", "the client certificate's private key (PEM)"),
        ("store", "bron.sqlite", "the SQLite store file (created when missing; fill it with vum import)"),
        ("pc4", "", "the PC4 centroid table (CSV pc4,lat,lon,name); default: $VUM_PC4_TABLE"),
        ("result-limit", "100", "the most matches per zoekvraag, whatever the question asks"),
        ("contact-data", "release", "release or withhold: whether details carry contact data the record allows"),
        ("prefetch", "16", "unacknowledged messages the broker may hand the adapter at once"),
        ("concurrency", "4", "questions worked on at the same time"),
        ("heartbeat", "5s", "time between heartbeats on vum.aanmeldingen (ms, s or m)"),
        ("max-message-size", "1048576", "messages larger than this many bytes are refused"),
        ("log-level", "info", "trace, debug, info, notice, warning, error or critical"),
    ]

    /// The environment variable for a key: `broker.url` is `VUM_ADAPTER_BROKER_URL`.
    public static func environmentName(_ key: String) -> String {
        "VUM_ADAPTER_" + key.uppercased().replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    /// Where each value came from, for `vum-adapter config`.
    public struct Source: Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Reads a configuration file of `key = value` lines (`#` starts a comment; values may be quoted).
    /// An unknown key, a repeated key or a line without `=` is an error naming the file and line.
    public static func parseFile(_ text: String, path: String) throws(ConfigurationError) -> [String: (String, Source)] {
        var values: [String: (String, Source)] = [:]
        let known = Set(keys.map(\.key))
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if let hash = line.firstIndex(of: "#"), !line[..<hash].contains("\"") { line = String(line[..<hash]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let place = "\(path) line \(number + 1)"
            guard let eq = line.firstIndex(of: "=") else { throw ConfigurationError("\(place): expected key = value") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard known.contains(key) else { throw ConfigurationError("\(place): unknown key \"\(key)\"\(suggestion(key))") }
            guard values[key] == nil else { throw ConfigurationError("\(place): \"\(key)\" is set twice") }
            values[key] = (value, Source(description: place))
        }
        return values
    }

    static func suggestion(_ key: String) -> String {
        let close = keys.map(\.key).filter { k in
            k.hasPrefix(key) || key.hasPrefix(k) || k.replacingOccurrences(of: "-", with: "") == key.replacingOccurrences(of: "_", with: "")
        }
        return close.isEmpty ? "; the keys are listed by vum-adapter config --help" : " (did you mean \(close[0])?)"
    }

    /// The effective values: defaults, then the file, then the environment, then `overrides`
    /// (the command line's `--set key=value`).
    public static func resolve(fileText: String?, filePath: String, environment: [String: String],
                               overrides: [String]) throws(ConfigurationError) -> [String: (String, Source)] {
        var values: [String: (String, Source)] = [:]
        for k in keys { if let d = k.defaultValue { values[k.key] = (d, Source(description: "default")) } }
        if let fileText { values.merge(try parseFile(fileText, path: filePath)) { _, new in new } }
        for k in keys {
            let name = environmentName(k.key)
            if let v = environment[name] { values[k.key] = (v, Source(description: "environment \(name)")) }
        }
        let known = Set(keys.map(\.key))
        for o in overrides {
            guard let eq = o.firstIndex(of: "=") else { throw ConfigurationError("--set \(o): expected key=value") }
            let key = String(o[..<eq])
            guard known.contains(key) else { throw ConfigurationError("--set \(o): unknown key \"\(key)\"\(suggestion(key))") }
            values[key] = (String(o[o.index(after: eq)...]), Source(description: "--set"))
        }
        return values
    }

    /// Builds the configuration from resolved values; every bad value is an error naming the key and
    /// where its value came from.
    public init(values: [String: (String, Source)], environment: [String: String] = [:]) throws(ConfigurationError) {
        func value(_ key: String) -> String { values[key]?.0 ?? "" }
        func fail(_ key: String, _ why: String) -> ConfigurationError {
            ConfigurationError("\(key) (\(values[key]?.1.description ?? "not set")): \(why)")
        }
        func int(_ key: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let n = Int(value(key)), range.contains(n) else {
                throw fail(key, "\"\(value(key))\" is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return n
        }
        guard !value("bron").isEmpty else { throw fail("bron", "is required: the bron id, for example gemeente-utrecht") }
        let bron: BronID
        do { bron = try BronID(validating: value("bron")) } catch { throw fail("bron", "\(error)") }

        var sets: Set<Gegevensset> = []
        for part in value("gegevenssets").split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let g = Gegevensset(rawValue: name) else {
                throw fail("gegevenssets", "\"\(name)\" is not werkzoekenden or vacatures")
            }
            sets.insert(g)
        }
        guard !sets.isEmpty else { throw fail("gegevenssets", "is required: werkzoekenden, vacatures, or both") }

        var tls: AMQPConfiguration.TLS?
        if !value("tls.ca").isEmpty {
            var t = AMQPConfiguration.TLS(caFile: value("tls.ca"))
            if !value("tls.certificate").isEmpty { t.certificateFile = value("tls.certificate") }
            if !value("tls.key").isEmpty { t.keyFile = value("tls.key") }
            guard (t.certificateFile == nil) == (t.keyFile == nil) else {
                throw fail("tls.certificate", "tls.certificate and tls.key go together")
            }
            tls = t
        }
        var broker: AMQPConfiguration
        do { broker = try AMQPConfiguration(url: value("broker.url"), tls: tls) } catch {
            throw fail("broker.url", "\(error)")
        }
        if case .plain(let user, let password) = broker.authentication, password.isEmpty, !value("broker.password").isEmpty {
            broker.authentication = .plain(user: user, password: value("broker.password"))
        }
        if case .external = broker.authentication, tls?.certificateFile == nil {
            throw fail("tls.certificate", "certificate login (amqps:// without a user) needs tls.certificate and tls.key")
        }
        broker.connectionName = "vum-adapter \(bron)"

        var service = AdapterConfiguration(bron: bron)
        if !value("broker.user").isEmpty {
            service.brokerUser = value("broker.user")
        } else if case .plain(let user, _) = broker.authentication {
            service.brokerUser = user
        }
        service.resultLimit = try int("result-limit", 1...10_000)
        switch value("contact-data") {
        case "release": service.releaseContactData = true
        case "withhold": service.releaseContactData = false
        default: throw fail("contact-data", "\"\(value("contact-data"))\" is not release or withhold")
        }
        service.prefetch = UInt16(try int("prefetch", 1...65_535))
        service.concurrency = try int("concurrency", 1...1_000)
        guard let heartbeat = Self.duration(value("heartbeat")), heartbeat >= .milliseconds(100) else {
            throw fail("heartbeat", "\"\(value("heartbeat"))\" is not a duration of at least 100ms (like 500ms, 5s, 1m)")
        }
        service.heartbeatInterval = heartbeat
        service.maximumMessageSize = try int("max-message-size", 1_024...(128 << 20))

        let pc4 = value("pc4").isEmpty ? environment["VUM_PC4_TABLE"] ?? "" : value("pc4")
        guard !pc4.isEmpty else { throw fail("pc4", "is required: the PC4 centroid table (or set VUM_PC4_TABLE)") }
        guard let level = Logger.Level(rawValue: value("log-level")) else {
            throw fail("log-level", "\"\(value("log-level"))\" is not trace, debug, info, notice, warning, error or critical")
        }
        self.init(service: service, broker: broker, gegevenssets: sets, storePath: value("store"), pc4TablePath: pc4,
                  logLevel: level)
    }

    /// `500ms`, `5s`, `2m`.
    static func duration(_ text: String) -> Duration? {
        let t = text.trimmingCharacters(in: .whitespaces)
        for (suffix, unit) in [("ms", 1), ("s", 1000), ("m", 60_000)] where t.hasSuffix(suffix) {
            guard let n = Int(t.dropLast(suffix.count)), n >= 0 else { return nil }
            return .milliseconds(n * unit)
        }
        return nil
    }
}
