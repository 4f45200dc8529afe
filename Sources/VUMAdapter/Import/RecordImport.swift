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

    /// Imports the records of a file's bytes (CSV when `csv`, else a JSON array or NDJSON), streaming
    /// NDJSON and CSV row by row in batches. `gegevensset` defaults to what the first record's id field
    /// says. Store failures stop the import and throw; what was written before stays written.
    public func load(bytes: [UInt8], csv: Bool, as gegevensset: Gegevensset? = nil) throws(ImportError) -> Summary {
        var loader: Loader?
        var pending: [RecordFile.Entry] = []
        var failure: StoreError?
        let format: RecordFile.Format
        do {
            format = try RecordFile.scan(bytes, csv: csv) { entry in
                guard failure == nil else { return }
                if loader == nil, let set = gegevensset ?? entry.gegevensset {
                    loader = Loader(set: set, store: store, batchSize: batchSize)
                }
                guard loader != nil else {
                    pending.append(entry)
                    return
                }
                do throws(StoreError) {
                    for earlier in pending { try loader!.add(earlier) }
                    pending.removeAll()
                    try loader!.add(entry)
                } catch { failure = error }
            }
        } catch {
            throw .file(error.description)
        }
        if let failure { throw .store(failure) }
        guard var loader else {
            throw .unknownDataset
        }
        do { try loader.flush() } catch { throw .store(error) }
        loader.summary.format = format
        return loader.summary
    }

    /// Why an import stopped: the file as a whole cannot be read, or the store failed.
    public enum ImportError: Error, Sendable, CustomStringConvertible {
        /// Describes the file's problem as a predicate: "is not a JSON array of records: …".
        case file(String)
        case store(StoreError)
        /// No record says its dataset (no `idWerkzoekende` or `idVacature`), and none was named.
        case unknownDataset
        public var description: String {
            switch self {
            case .file(let why): why
            case .unknownDataset: "holds no record with idWerkzoekende or idVacature, so its dataset must be named"
            case .store(let error): error.description
            }
        }
    }

    /// Imports an already read file.
    public func load(_ file: RecordFile, as gegevensset: Gegevensset? = nil) throws(ImportError) -> Summary {
        guard let set = gegevensset ?? file.detectedGegevensset else {
            throw .unknownDataset
        }
        var loader = Loader(set: set, store: store, batchSize: batchSize)
        do {
            for entry in file.entries { try loader.add(entry) }
            try loader.flush()
        } catch { throw .store(error) }
        loader.summary.format = file.format
        return loader.summary
    }

    /// Validates entries and writes them in batches.
    struct Loader {
        var summary: Summary
        let store: SQLiteStore
        let batchSize: Int
        var werkzoekenden: [Werkzoekende] = []
        var vacatures: [Vacature] = []

        init(set: Gegevensset, store: SQLiteStore, batchSize: Int) {
            summary = Summary(gegevensset: set, format: .ndjson)
            self.store = store
            self.batchSize = batchSize
        }

        mutating func add(_ entry: RecordFile.Entry) throws(StoreError) {
            summary.total += 1
            let json: JSONValue
            switch entry.json {
            case .success(let j): json = j
            case .failure(let e):
                summary.invalidRecords += 1
                summary.invalid.append(
                    .init(
                        position: entry.position, recordID: nil,
                        issue: ValidationIssue(.error, path: "", e.description)))
                return
            }
            switch summary.gegevensset {
            case .werkzoekenden:
                if let r = check(Werkzoekende.self, json, entry) { werkzoekenden.append(r) }
                if werkzoekenden.count >= batchSize { try flush() }
            case .vacatures:
                if let r = check(Vacature.self, json, entry) { vacatures.append(r) }
                if vacatures.count >= batchSize { try flush() }
            }
        }

        private mutating func check<R: VUMRecord & CompletenessMeasurable>(
            _: R.Type, _ json: JSONValue,
            _ entry: RecordFile.Entry
        ) -> R? {
            switch R.validate(json) {
            case .success(let v):
                summary.warnings += v.warnings.count
                summary.completenessSum += v.value.completeness.score
                return v.value
            case .failure(let e):
                summary.invalidRecords += 1
                let idKey = summary.gegevensset.idKey
                let id: String? = if case .object(let o) = json, case .string(let s)? = o[idKey] { s } else { nil }
                for issue in e.issues where issue.severity == .error {
                    summary.invalid.append(.init(position: entry.position, recordID: id, issue: issue))
                }
                return nil
            }
        }

        mutating func flush() throws(StoreError) {
            let counts: SQLiteStore.UpsertCounts
            if !werkzoekenden.isEmpty {
                counts = try store.upsert(werkzoekenden)
                werkzoekenden.removeAll(keepingCapacity: true)
            } else if !vacatures.isEmpty {
                counts = try store.upsert(vacatures)
                vacatures.removeAll(keepingCapacity: true)
            } else {
                return
            }
            summary.inserted += counts.inserted
            summary.replaced += counts.replaced
        }
    }
}
