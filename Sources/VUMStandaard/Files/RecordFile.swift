/// Why a file, or one entry of it, cannot be read as records.
public struct RecordFileError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// A file of records: a JSON array, NDJSON (one record per line) or CSV in the layout of `CSVRecords`.
/// Each record is parsed on its own, so one broken line does not hide the others.
public struct RecordFile: Sendable {
    public enum Format: String, Sendable {
        case jsonArray = "JSON array"
        case ndjson = "NDJSON"
        case csv = "CSV"
    }

    public struct Entry: Sendable {
        /// 0-based position among the records.
        public var index: Int
        /// Where to find it: "line 17" for NDJSON, "record 17" (1-based) in an array.
        public var position: String
        public var json: Result<JSONValue, RecordFileError>

        /// The dataset this entry's id field says it belongs to.
        public var gegevensset: Gegevensset? {
            guard case .success(.object(let o)) = json else { return nil }
            if o["idWerkzoekende"] != nil { return .werkzoekenden }
            if o["idVacature"] != nil { return .vacatures }
            return nil
        }
    }

    public var format: Format
    public var entries: [Entry]

    /// Reads the bytes of a file. An array that is not valid JSON as a whole is an error; in NDJSON each
    /// line that is not valid JSON becomes an entry with its parse error.
    public init(bytes: [UInt8]) throws(RecordFileError) {
        var entries: [Entry] = []
        format = try Self.scan(bytes, csv: false) { entries.append($0) }
        self.entries = entries
    }

    /// Reads a CSV file in the layout of `CSVRecords`. A header that is not a layout header is an error;
    /// a row with the wrong number of fields becomes an entry with that error.
    public init(csv bytes: [UInt8]) throws(RecordFileError) {
        var entries: [Entry] = []
        format = try Self.scan(bytes, csv: true) { entries.append($0) }
        self.entries = entries
    }

    /// Hands over the entries of a file one at a time, so a file of a million records is never held as
    /// a million parsed records (a JSON array is parsed whole first; NDJSON and CSV are read row by row).
    /// Returns the format.
    public static func scan(_ bytes: [UInt8], csv: Bool, _ body: (Entry) -> Void) throws(RecordFileError) -> Format {
        if csv {
            try CSVRecords.scan(bytes, body)
            return .csv
        }
        let first = bytes.firstIndex { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if let first, bytes[first] == UInt8(ascii: "[") {
            let parsed: JSONValue
            do { parsed = try JSONValue.parse(bytes) } catch {
                throw RecordFileError(description: "is not a JSON array of records: \(error)")
            }
            guard case .array(let items) = parsed else {
                throw RecordFileError(description: "is not a JSON array of records")
            }
            for (i, item) in items.enumerated() {
                body(Entry(index: i, position: "record \(i + 1)", json: .success(item)))
            }
            return .jsonArray
        }
        var count = 0
        var lineNumber = 0
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            lineNumber += 1
            var line = bytes[start..<i]
            start = i + 1
            if line.last == 0x0D { line = line.dropLast() }
            guard line.contains(where: { !($0 == 0x20 || $0 == 0x09) }) else { continue }
            let parsed: Result<JSONValue, RecordFileError>
            do { parsed = .success(try JSONValue.parse(line)) } catch {
                parsed = .failure(RecordFileError(description: error.description))
            }
            body(Entry(index: count, position: "line \(lineNumber)", json: parsed))
            count += 1
        }
        return .ndjson
    }

    /// The dataset the records belong to, from the first record with `idWerkzoekende` or `idVacature`.
    public var detectedGegevensset: Gegevensset? { entries.lazy.compactMap(\.gegevensset).first }
}

/// The outcome of validating a file of records: what `vum valideer` prints.
public struct RecordFileReport: Sendable {
    public struct Finding: Sendable {
        public var position: String
        /// The record's own id, when it could be read.
        public var recordID: String?
        public var issue: ValidationIssue

        public init(position: String, recordID: String?, issue: ValidationIssue) {
            self.position = position
            self.recordID = recordID
            self.issue = issue
        }
    }

    public var gegevensset: Gegevensset
    public var format: RecordFile.Format
    public var total = 0
    public var valid = 0
    public var errors: [Finding] = []
    public var warnings: [Finding] = []
    /// Sum of the completeness scores of the valid records.
    public var completenessSum = 0.0
    /// For each searchable field: how many valid records leave it empty.
    public var missingSearchable: [String: Int] = [:]

    public var invalid: Int { total - valid }
    public var averageCompleteness: Double? { valid == 0 ? nil : completenessSum / Double(valid) }

    /// Validates every record. With `matchingProfielen`, records are read as matching profiles, so a
    /// detail-only field is an error.
    public init(file: RecordFile, gegevensset: Gegevensset, matchingProfielen: Bool = false) {
        self.gegevensset = gegevensset
        format = file.format
        for entry in file.entries {
            total += 1
            let json: JSONValue
            switch entry.json {
            case .success(let j): json = j
            case .failure(let e):
                errors.append(
                    Finding(
                        position: entry.position, recordID: nil,
                        issue: ValidationIssue(.error, path: "", e.description)))
                continue
            }
            let id: String? = {
                guard case .object(let o) = json, case .string(let s)? = o[gegevensset.idKey]
                else { return nil }
                return s
            }()
            let outcome: (issues: [ValidationIssue], completeness: Completeness?)
            switch (gegevensset, matchingProfielen) {
            case (.werkzoekenden, false): outcome = Self.check(RecordCheck<Werkzoekende>.validate(json))
            case (.werkzoekenden, true): outcome = Self.check(RecordCheck<WerkzoekendeMatchingProfiel>.validate(json))
            case (.vacatures, false): outcome = Self.check(RecordCheck<Vacature>.validate(json))
            case (.vacatures, true): outcome = Self.check(RecordCheck<VacatureMatchingProfiel>.validate(json))
            }
            for issue in outcome.issues {
                let finding = Finding(position: entry.position, recordID: id, issue: issue)
                if issue.severity == .error { errors.append(finding) } else { warnings.append(finding) }
            }
            if let c = outcome.completeness {
                valid += 1
                completenessSum += c.score
                for field in c.missingSearchableFields { missingSearchable[field, default: 0] += 1 }
            }
        }
    }

    private static func check(_ result: (Result<[ValidationIssue], ValidationError>, Completeness?))
        -> (issues: [ValidationIssue], completeness: Completeness?)
    {
        switch result.0 {
        case .success(let warnings): return (warnings, result.1)
        case .failure(let e): return (e.issues, nil)
        }
    }
}

/// Validates one record of type `R` and measures the completeness of its matching profile.
enum RecordCheck<R: VUMRecord & CompletenessMeasurable> {
    static func validate(_ json: JSONValue) -> (Result<[ValidationIssue], ValidationError>, Completeness?) {
        switch R.validate(json) {
        case .success(let v): return (.success(v.warnings), v.value.completeness)
        case .failure(let e): return (.failure(e), nil)
        }
    }
}

/// Records whose completeness can be measured.
public protocol CompletenessMeasurable {
    var completeness: Completeness { get }
}

extension Werkzoekende: CompletenessMeasurable {}
extension WerkzoekendeMatchingProfiel: CompletenessMeasurable {}
extension Vacature: CompletenessMeasurable {}
extension VacatureMatchingProfiel: CompletenessMeasurable {}
