import ArgumentParser
import Foundation
import Logging
import VUMStandaard

/// The command-line options every daemon reads its configuration with: `--config FILE` and any number
/// of `--set key=value`.
public struct ConfigurationOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("The configuration file (key = value lines).", valueName: "path"))
    public var file: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one key (repeatable).", valueName: "key=value"))
    public var overrides: [String] = []

    public init() {}

    /// Resolves `reader`'s keys from the file, the process environment and the overrides.
    public func resolve(_ reader: KeyValueConfiguration) throws(ConfigurationError) -> KeyValueConfiguration {
        var text: String?
        if let file {
            do { text = try FileContents.text(file) } catch {
                throw ConfigurationError("cannot read the configuration file \(file): \(error)")
            }
        }
        var c = reader
        try c.resolve(
            fileText: text, filePath: file ?? "", environment: ProcessInfo.processInfo.environment,
            overrides: overrides)
        return c
    }

    /// Resolves and builds a daemon's configuration; on failure prints `program: error` to standard error
    /// and exits 2.
    public func load<T>(
        _ reader: KeyValueConfiguration, program: String,
        build: (KeyValueConfiguration, [String: String]) throws -> T
    ) throws -> T {
        do {
            return try build(resolve(reader), ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data(Self.lines(of: error, program: program).utf8))
            throw ExitCode(2)
        }
    }

    /// `error` as `program: problem` lines, one per problem found.
    static func lines(of error: any Error, program: String) -> String {
        "\(error)".split(separator: "\n").map { "\(program): \($0)\n" }.joined()
    }

    /// What a daemon's `config` subcommand does: checks the configuration and prints every key's value and
    /// its source (secrets masked); exit 2 with the error when it cannot be used.
    public func check(
        _ reader: KeyValueConfiguration, program: String,
        build: (KeyValueConfiguration, [String: String]) throws -> Void
    ) throws {
        do {
            let c = try resolve(reader)
            try build(c, ProcessInfo.processInfo.environment)
            for line in c.report { print(line) }
            print("configuration is valid")
        } catch {
            print(Self.lines(of: error, program: program), terminator: "")
            throw ExitCode(2)
        }
    }
}

/// Daemons log to standard error at the configured level; bootstrapped once, by the executable.
public func bootstrapLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
