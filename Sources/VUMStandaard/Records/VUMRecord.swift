/// The two datasets of the standard.
public enum Gegevensset: String, Sendable, Hashable, CaseIterable, Codable {
    case werkzoekenden
    case vacatures

    /// The key of a record's own id in this dataset's JSON (`idWerkzoekende`, `idVacature`).
    public var idKey: String { self == .werkzoekenden ? "idWerkzoekende" : "idVacature" }
}

/// A record of the standard (detail or matching profile, werkzoekende or vacature).
///
/// A value that exists is valid: ``init(json:)`` and `init(from:)` run the full validation and throw a
/// ``ValidationError`` listing every problem with its JSON path. Encoding never emits empty values.
public protocol VUMRecord: Sendable, Hashable, Codable {
    static var gegevensset: Gegevensset { get }
    /// The bron's own id of the record.
    var recordID: RecordID { get }
    /// The record as the standard's JSON.
    var json: JSONValue { get }
    /// Reads and validates; on success also returns the warnings.
    static func validate(_ json: JSONValue) -> Result<Validated<Self>, ValidationError>
}

protocol RecordReading {
    static func readRecord(_ r: FieldReader) -> Self?
    func writeRecord(to b: inout ObjectBuilder)
    /// Fields that must not appear (the detail-only fields, in a matching profile).
    static var forbiddenFields: Set<String> { get }
}

extension VUMRecord {
    /// Reads and validates a record; throws every problem at once.
    public init(json: JSONValue) throws(ValidationError) {
        switch Self.validate(json) {
        case .success(let v): self = v.value
        case .failure(let e): throw e
        }
    }

    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        switch Self.validate(value) {
        case .success(let v): self = v.value
        case .failure(let e):
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath, debugDescription: e.description,
                    underlyingError: e))
        }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

enum RecordCodec {
    static func validate<T: RecordReading>(_ json: JSONValue) -> Result<Validated<T>, ValidationError> {
        let log = IssueLog()
        guard let r = FieldReader.make(json, path: "", log: log) else {
            return .failure(ValidationError(issues: log.issues))
        }
        if !T.forbiddenFields.isEmpty {
            r.forbid(T.forbiddenFields, because: "is detail only and must not be in a matching profile")
        }
        let value = T.readRecord(r)
        r.finish()
        let ordered = log.issues.filter { $0.severity == .error } + log.issues.filter { $0.severity == .warning }
        guard let value, !log.hasErrors else { return .failure(ValidationError(issues: ordered)) }
        return .success(Validated(value: value, warnings: ordered))
    }

    static func json<T: RecordReading>(_ record: T) -> JSONValue {
        var b = ObjectBuilder()
        record.writeRecord(to: &b)
        return b.json
    }
}

extension WerkzoekendeMatchingProfiel: VUMRecord, RecordReading {
    public static func validate(_ json: JSONValue) -> Result<Validated<Self>, ValidationError> {
        RecordCodec.validate(json)
    }
    public var json: JSONValue { RecordCodec.json(self) }
    public static let gegevensset = Gegevensset.werkzoekenden
    public var recordID: RecordID { idWerkzoekende }
    static func readRecord(_ r: FieldReader) -> Self? { read(r) }
    func writeRecord(to b: inout ObjectBuilder) { write(to: &b) }
    static var forbiddenFields: Set<String> { Werkzoekende.detailOnlyFields }
}

extension Werkzoekende: VUMRecord, RecordReading {
    public static func validate(_ json: JSONValue) -> Result<Validated<Self>, ValidationError> {
        RecordCodec.validate(json)
    }
    public var json: JSONValue { RecordCodec.json(self) }
    public static let gegevensset = Gegevensset.werkzoekenden
    public var recordID: RecordID { matchingProfiel.idWerkzoekende }
    static func readRecord(_ r: FieldReader) -> Self? { read(r) }
    func writeRecord(to b: inout ObjectBuilder) { write(to: &b) }
    static var forbiddenFields: Set<String> { [] }
}

extension VacatureMatchingProfiel: VUMRecord, RecordReading {
    public static func validate(_ json: JSONValue) -> Result<Validated<Self>, ValidationError> {
        RecordCodec.validate(json)
    }
    public var json: JSONValue { RecordCodec.json(self) }
    public static let gegevensset = Gegevensset.vacatures
    public var recordID: RecordID { idVacature }
    static func readRecord(_ r: FieldReader) -> Self? { read(r) }
    func writeRecord(to b: inout ObjectBuilder) { write(to: &b) }
    static var forbiddenFields: Set<String> { Vacature.detailOnlyFields }
}

extension Vacature: VUMRecord, RecordReading {
    public static func validate(_ json: JSONValue) -> Result<Validated<Self>, ValidationError> {
        RecordCodec.validate(json)
    }
    public var json: JSONValue { RecordCodec.json(self) }
    public static let gegevensset = Gegevensset.vacatures
    public var recordID: RecordID { matchingProfiel.idVacature }
    static func readRecord(_ r: FieldReader) -> Self? { read(r) }
    func writeRecord(to b: inout ObjectBuilder) { write(to: &b) }
    static var forbiddenFields: Set<String> { [] }
}
