/// Why the SQLite store could not do what was asked. The description names the file and what to do; it
/// never contains a record's personal data.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an extensible set of codes.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The database file cannot be opened or created.
        public static let cannotOpen = Code("cannotOpen")
        /// The file is not a store of this version (or not a store at all).
        public static let schema = Code("schema")
        /// A query or an update failed.
        public static let query = Code("query")
        /// A stored record no longer reads as a valid record of the standard.
        public static let corruptRecord = Code("corruptRecord")
        public var description: String { name }
    }

    public var code: Code
    public var path: String
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "SQLite store \(path): \(message)" }
}
