/// Copies the zoekvragen of one aggregator's SQLite request store into another store, typically the shared
/// PostgreSQL store when an operator goes from one aggregator to several (`vum-aggregator copy-store`).
/// Their vumIDs keep resolving as long as the aggregators that use the target have the same vumID secret,
/// and each keeps the detail requests it already counted. Expired zoekvragen are left out. Running it again
/// copies only what is not there yet, so it can run once before the switch and once after the old
/// aggregator stopped.
public enum RequestStoreCopy {
    public struct Outcome: Sendable, Equatable {
        /// Zoekvragen written to the target.
        public var copied = 0
        /// Zoekvragen the target held already (an earlier copy, or a vraagID it issued itself): left as they are.
        public var alreadyThere = 0
        /// Zoekvragen whose vumIDs had expired: not copied.
        public var expired = 0
    }

    /// Copies `batchSize` zoekvragen at a time; `progress` is called after each batch.
    public static func copy(
        from source: SQLiteRequestStore, to target: any RequestStore, nowMs: Int64, batchSize: Int = 500,
        progress: (Outcome) -> Void = { _ in }
    ) async throws -> Outcome {
        var outcome = Outcome(expired: try await source.expiredCount(nowMs: nowMs))
        var after = ""
        while true {
            let batch = try await source.unexpired(nowMs: nowMs, after: after, limit: batchSize)
            guard let last = batch.last else { return outcome }
            for (record, details) in batch {
                if try await target.restore(record, details: details) {
                    outcome.copied += 1
                } else {
                    outcome.alreadyThere += 1
                }
            }
            after = last.record.vraagID
            progress(outcome)
        }
    }
}
