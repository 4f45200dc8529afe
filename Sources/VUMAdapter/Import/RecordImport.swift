import VUMStandaard

/// Loads a file of records into a `SQLiteStore`: every valid record is stored (an id already stored is
/// replaced), every invalid one is reported with its position and JSON paths, and the rest still load.
public struct RecordImport: Sendable {
    /// What an import did.
    public struct Summary: Sendable {
        public var gegevensset: Gegevensset
        public var format: RecordFile.Format
        public var total = 0
        public var inserted = 0
        public var replaced = 0
        /// Invalid records, each with every problem found.
        public var invalid: [RecordFileReport.Finding] = []
        public var invalidRecords = 0
        public var warnings = 0
        public var completenessSum = 0.0
        public var loaded: Int { inserted + replaced }
        /// Average completeness of the records loaded.
        public var averageCompleteness: Double? { loaded == 0 ? nil : completenessSum / Double(loaded) }
    }

    public let store: SQLiteStore
    /// Records written per transaction.
    public var batchSize = 2000

    public init(store: SQLiteStore) { self.store = store }

    /// Imports the records of `file`; `gegevensset` defaults to what the file's first record says.
    public func load(_ file: RecordFile, as gegevensset: Gegevensset? = nil) throws(StoreError) -> Summary {
        guard let set = gegevensset ?? file.detectedGegevensset else {
            throw StoreError(.query, path: store.path,
                             "cannot tell whether the file holds werkzoekenden or vacatures (no idWerkzoekende or idVacature)")
        }
        switch set {
        case .werkzoekenden: return try load(file, Werkzoekende.self, set) { (records) throws(StoreError) in try store.upsert(records) }
        case .vacatures: return try load(file, Vacature.self, set) { (records) throws(StoreError) in try store.upsert(records) }
        }
    }

    private func load<R: VUMRecord & CompletenessMeasurable>(
        _ file: RecordFile, _: R.Type, _ set: Gegevensset, _ write: ([R]) throws(StoreError) -> SQLiteStore.UpsertCounts
    ) throws(StoreError) -> Summary {
        var summary = Summary(gegevensset: set, format: file.format)
        var batch: [R] = []
        batch.reserveCapacity(batchSize)
        func flush() throws(StoreError) {
            guard !batch.isEmpty else { return }
            let counts = try write(batch)
            summary.inserted += counts.inserted
            summary.replaced += counts.replaced
            batch.removeAll(keepingCapacity: true)
        }
        for entry in file.entries {
            summary.total += 1
            let json: JSONValue
            switch entry.json {
            case .success(let j): json = j
            case .failure(let e):
                summary.invalidRecords += 1
                summary.invalid.append(.init(position: entry.position, recordID: nil,
                                             issue: ValidationIssue(.error, path: "", e.description)))
                continue
            }
            switch R.validate(json) {
            case .success(let v):
                summary.warnings += v.warnings.count
                summary.completenessSum += v.value.completeness.score
                batch.append(v.value)
                if batch.count >= batchSize { try flush() }
            case .failure(let e):
                summary.invalidRecords += 1
                let id: String? = if case .object(let o) = json, case .string(let s)? = o[set == .werkzoekenden ? "idWerkzoekende" : "idVacature"] { s } else { nil }
                for issue in e.issues where issue.severity == .error {
                    summary.invalid.append(.init(position: entry.position, recordID: id, issue: issue))
                }
            }
        }
        try flush()
        return summary
    }
}
