import VUMStandaard

/// A bron whose records live in a `SQLiteStore`: the adapter's default source.
public struct SQLiteSource: BronSource {
    public let store: SQLiteStore
    public let gegevenssets: Set<Gegevensset>
    let evaluator: Evaluator

    /// `gegevenssets` are the datasets the bron answers for (configuration, not what happens to be stored:
    /// an empty store still answers, with no matches).
    public init(store: SQLiteStore, gegevenssets: Set<Gegevensset>, table: PC4Table) {
        self.store = store
        self.gegevenssets = gegevenssets
        evaluator = Evaluator(table: table)
    }

    public var ondersteundeCriteria: [String] { SupportedCriteria.keys(for: gegevenssets) }
    /// The query runs on GRDB's reader queues; the caller builds the SQL and receives the stored bytes.
    public var worksOnItsOwnThreads: Bool { true }

    public func zoek(_ vraag: Evaluator.PreparedQuestion, limit: Int, context: Verzoekcontext) async throws
        -> Zoekresultaat
    {
        let outcome = try await store.search(vraag, limit: limit, evaluator: evaluator)
        return Zoekresultaat(
            encodedMatches: outcome.encodedMatches,
            maximumAantalResultatenBereikt: outcome.maximumAantalResultatenBereikt)
    }

    public func detail(_ id: RecordID, gegevensset: Gegevensset, context: Verzoekcontext) async throws -> DetailRecord?
    {
        try await store.detail(id, gegevensset: gegevensset)
    }
}
