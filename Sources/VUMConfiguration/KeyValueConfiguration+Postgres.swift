extension KeyValueConfiguration {
    /// A `disable` / `require` TLS key and its CA key, as ``PostgresServer/tlsCAFile`` takes them: nil for
    /// `disable`, the CA file for `require` (empty: the system's trust store).
    public func postgresTLS(_ key: String, ca caKey: String) throws(ConfigurationError) -> String? {
        switch string(key) {
        case "disable": return nil
        case "require": return string(caKey)
        default: throw fail(key, "\"\(string(key))\" is not disable or require")
        }
    }
}
