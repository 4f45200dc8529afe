import Foundation

/// A configuration that cannot be used, naming the key, where its value came from, and what is wrong.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The daemons' configuration files: `key = value` lines (`#` starts a comment; a value may be in double
/// quotes), with every key also settable in the environment (`<prefix>` + the key in capitals with `.` and
/// `-` as `_`) and on the command line (`--set key=value`). The command line wins over the environment,
/// the environment over the file, the file over the defaults.
///
/// A flat key file rather than YAML or TOML: every key maps one-to-one onto an environment variable and
/// a flag, and an unknown key (a typo) is refused with its file and line instead of silently ignored.
public struct KeyValueConfiguration: Sendable {
    public struct Key: Sendable {
        public var name: String
        /// `nil`: required.
        public var defaultValue: String?
        public var help: String
        public var secret: Bool
        public init(_ name: String, _ defaultValue: String?, _ help: String, secret: Bool = false) {
            self.name = name
            self.defaultValue = defaultValue
            self.help = help
            self.secret = secret
        }
    }

    /// Where a value came from: `default`, `FILE line N`, `environment NAME`, `--set`.
    public struct Source: Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public let keys: [Key]
    public let environmentPrefix: String
    /// The resolved values.
    public private(set) var values: [String: (value: String, source: Source)] = [:]

    public init(keys: [Key], environmentPrefix: String) {
        self.keys = keys
        self.environmentPrefix = environmentPrefix
    }

    public func environmentName(_ key: String) -> String {
        environmentPrefix
            + key.uppercased().replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    /// Resolves the values from defaults, the file's text, the environment and the `--set` overrides.
    public mutating func resolve(
        fileText: String?, filePath: String, environment: [String: String], overrides: [String]
    )
        throws(ConfigurationError)
    {
        values = [:]
        for k in keys { if let d = k.defaultValue { values[k.name] = (d, Source(description: "default")) } }
        if let fileText { values.merge(try parseFile(fileText, path: filePath)) { _, new in new } }
        for k in keys {
            let name = environmentName(k.name)
            if let v = environment[name] { values[k.name] = (v, Source(description: "environment \(name)")) }
        }
        let known = Set(keys.map(\.name))
        for o in overrides {
            guard let eq = o.firstIndex(of: "=") else { throw ConfigurationError("--set \(o): expected key=value") }
            let key = String(o[..<eq])
            guard known.contains(key) else {
                throw ConfigurationError("--set \(o): unknown key \"\(key)\"\(suggestion(key))")
            }
            values[key] = (String(o[o.index(after: eq)...]), Source(description: "--set"))
        }
    }

    func parseFile(_ text: String, path: String) throws(ConfigurationError) -> [String: (value: String, source: Source)]
    {
        var found: [String: (value: String, source: Source)] = [:]
        // Every line's problem at once, so a file with three typos needs one round of fixing, not three.
        var problems: [String] = []
        let known = Set(keys.map(\.name))
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if let hash = line.firstIndex(of: "#"), !line[..<hash].contains("\"") { line = String(line[..<hash]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let place = "\(path) line \(number + 1)"
            guard let eq = line.firstIndex(of: "=") else {
                problems.append("\(place): expected key = value")
                continue
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            guard known.contains(key) else {
                problems.append("\(place): unknown key \"\(key)\"\(suggestion(key))")
                continue
            }
            if let first = found[key] {
                problems.append("\(place): \"\(key)\" is set twice (first on \(first.source))")
                continue
            }
            found[key] = (value, Source(description: place))
        }
        guard problems.isEmpty else { throw ConfigurationError(problems.joined(separator: "\n")) }
        return found
    }

    func suggestion(_ key: String) -> String {
        let close = keys.map(\.name).filter { k in
            k.hasPrefix(key) || key.hasPrefix(k)
                || k.replacingOccurrences(of: "-", with: "") == key.replacingOccurrences(of: "_", with: "")
        }
        return close.isEmpty
            ? "; see the list of keys in the help of the config subcommand" : " (did you mean \(close[0])?)"
    }

    // MARK: - Typed reading

    public func string(_ key: String) -> String { values[key]?.value ?? "" }

    public func fail(_ key: String, _ why: String) -> ConfigurationError {
        ConfigurationError("\(key) (\(values[key]?.source.description ?? "not set")): \(why)")
    }

    public func required(_ key: String, _ what: String) throws(ConfigurationError) -> String {
        let v = string(key)
        guard !v.isEmpty else { throw fail(key, "is required: \(what)") }
        return v
    }

    public func int(_ key: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let n = Int(string(key)), range.contains(n) else {
            throw fail(key, "\"\(string(key))\" is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    public func duration(_ key: String, atLeast minimum: Duration) throws(ConfigurationError) -> Duration {
        guard let d = Self.duration(string(key)), d >= minimum else {
            throw fail(
                key, "\"\(string(key))\" is not a duration of at least \(Self.text(minimum)) (like 500ms, 5s, 2m, 7d)")
        }
        return d
    }

    /// A period that may be switched off: nil for `0s`, else a duration of at least `minimum`.
    public func optionalPeriod(_ key: String, atLeast minimum: Duration) throws(ConfigurationError) -> Duration? {
        let period = Self.duration(string(key))
        guard let period, period == .zero || period >= minimum else {
            throw fail(
                key,
                "\"\(string(key))\" is not 0s (none) or a duration of at least \(Self.text(minimum)) (like 30s, 15m)")
        }
        return period == .zero ? nil : period
    }

    /// `duration` as a configuration value is written: `100ms`, `5s`, `2m`, `7d` (the largest unit that
    /// divides it); what an error says a value must be at least, in the words the value is written in.
    public static func text(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        for (suffix, unit) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        where ms != 0 && ms % unit == 0 {
            return "\(ms / unit)\(suffix)"
        }
        return "\(ms)ms"
    }

    /// `500ms`, `5s`, `2m`, `3h`, `7d`.
    public static func duration(_ text: String) -> Duration? {
        let t = text.trimmingCharacters(in: .whitespaces)
        for (suffix, unit) in [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        where t.hasSuffix(suffix) {
            guard let n = Int(t.dropLast(suffix.count)), n >= 0 else { return nil }
            return .milliseconds(n * unit)
        }
        return nil
    }

    /// Every key with its value and source, secrets masked: what `config` subcommands print.
    public var report: [String] {
        keys.map { k in
            guard let (value, source) = values[k.name] else { return "\(k.name) = (not set)" }
            let shown = k.secret && !value.isEmpty ? "***" : Self.redactURL(value)
            return "\(k.name) = \(shown)    # \(source)"
        }
    }

    /// The keys with defaults and help, for `--help`.
    /// Every key with its default and what it sets, for `config --help`: each description wrapped to 78
    /// columns under its key (the argument parser would wrap it back to the margin).
    public var help: String {
        keys.map { k in
            "  \(k.name) = \(k.defaultValue.map { $0.isEmpty ? "(empty)" : $0 } ?? "(required)")\n"
                + Self.wrap(k.help, indent: 6, width: 78)
        }.joined(separator: "\n")
    }

    /// `text` in lines of at most `width` columns, each indented by `indent` spaces; a word longer than a
    /// line gets a line of its own.
    static func wrap(_ text: String, indent: Int, width: Int) -> String {
        let margin = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, indent + line.count + 1 + word.count > width {
                lines.append(margin + line)
                line = ""
            }
            line += line.isEmpty ? word : " " + word
        }
        if !line.isEmpty { lines.append(margin + line) }
        return lines.joined(separator: "\n")
    }

    static func redactURL(_ value: String) -> String {
        guard value.hasPrefix("amqp"), let at = value.lastIndex(of: "@"), let scheme = value.range(of: "://"),
            let colon = value[scheme.upperBound..<at].firstIndex(of: ":")
        else { return value }
        return String(value[..<colon]) + ":***" + String(value[at...])
    }
}
