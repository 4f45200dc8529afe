import Logging

extension KeyValueConfiguration {
    /// The `log-level` key every daemon has.
    public static let logLevelKey = Key("log-level", "info", "trace, debug, info, notice, warning, error or critical")

    /// The value of `log-level`; anything else is an error naming the key and where the value came from.
    public func logLevel() throws(ConfigurationError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: string("log-level")) else {
            throw fail(
                "log-level", "\"\(string("log-level"))\" is not trace, debug, info, notice, warning, error or critical")
        }
        return level
    }
}
