import ArgumentParser
import Foundation

/// The command-line options every daemon reads its configuration with: `--config FILE` and any number
/// of `--set key=value`.
public struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("The configuration file (key = value lines).", valueName: "path"))
    public var file: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one key (repeatable).", valueName: "key=value"))
    public var overrides: [String] = []

    public init() {}

    /// Resolves `reader`'s keys from the file, the process environment and the overrides.
    public func resolve(_ reader: KeyValueConfiguration) throws(ConfigurationError) -> KeyValueConfiguration {
        var text: String?
        if let file {
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ConfigurationError("cannot read the configuration file \(file): \(error.localizedDescription)")
            }
        }
        var c = reader
        try c.resolve(fileText: text, filePath: file ?? "", environment: ProcessInfo.processInfo.environment,
                      overrides: overrides)
        return c
    }
}
