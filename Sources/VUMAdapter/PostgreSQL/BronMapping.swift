import Foundation
import VUMStandaard
import Yams

/// A mapping file: how a partner's own PostgreSQL tables read as records of the standard, so the adapter
/// can answer from the legacy system where it is ("VUM does not translate; partners translate their own
/// data"). Written by the partner in YAML; `Docs/aansluitkit.md` section 8 documents every key.
///
/// ```yaml
/// werkzoekenden:
///   table: crm.klant                   # one row per record (a table or a view)
///   where: "status = 'A'"              # optional: which rows are records
///   fields:
///     idWerkzoekende: klantnummer      # a column or an SQL expression over the row
///     mobiliteit.bemiddelingspostcode: postcode
///     flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst:
///       column: ploegendienst
///       codes: { J: 1, N: 2 }          # local code -> the standard's code
///       default: 0                     # other local codes; leave it out to leave the field out
///   arrays:
///     bemiddelingsberoep:              # an array of the standard, from a child table
///       table: crm.beroepswens
///       key: klantnummer               # the child's column holding the record's id
///       fields:
///         codeBeroepsnaam: beroep_uri
/// ```
///
/// The expressions are the partner's own SQL, trusted like the rest of the adapter's configuration;
/// values from questions never enter the SQL text (they are bound parameters).
public struct BronMapping: Sendable {
    public var werkzoekenden: RecordMapping?
    public var vacatures: RecordMapping?

    public func records(_ gegevensset: Gegevensset) -> RecordMapping? {
        gegevensset == .werkzoekenden ? werkzoekenden : vacatures
    }

    public var gegevenssets: Set<Gegevensset> {
        Set([werkzoekenden, vacatures].compactMap { $0?.gegevensset })
    }
}

/// Where one dataset's records are.
public struct RecordMapping: Sendable {
    public var gegevensset: Gegevensset
    /// `schema.table` or `table`: one row per record.
    public var table: String
    /// The partner's condition selecting the rows that are records (SQL), if any.
    public var filter: String?
    /// The PC4 of a row as text, the expression an index of the partner covers. Default: the first four
    /// characters of the postcode field.
    public var pc4: String
    /// Scalar fields, in the order of the file; the id and the postcode among them.
    public var fields: [FieldMapping]
    public var arrays: [ArrayMapping]

    /// The record's own id (`idWerkzoekende` or `idVacature`).
    public var id: FieldMapping { fields.first { $0.path == [gegevensset.idKey] }! }

    static func postcodeField(_ g: Gegevensset) -> [String] {
        g == .werkzoekenden ? ["mobiliteit", "bemiddelingspostcode"] : ["adres", "postcode"]
    }

    func field(_ path: String) -> FieldMapping? { fields.first { $0.name == path } }
    func array(_ path: String) -> ArrayMapping? { arrays.first { $0.name == path } }
}

/// An array of the standard read from a child table: one element per child row.
public struct ArrayMapping: Sendable {
    /// The array's path in the record (`arbeidsmarktkwalificatie.rijbewijs`).
    public var path: [String]
    public var table: String
    /// The child table's column that holds the record's id (compared with the `id` field's expression).
    public var key: String
    public var filter: String?
    /// The fields of each element; for an array of plain values (`emailadres`) one field with an empty path.
    public var fields: [FieldMapping]

    public var name: String { path.joined(separator: ".") }
    func field(_ name: String) -> FieldMapping? { fields.first { $0.name == name } }
}

/// One field: the expression that feeds it and how its local codes translate.
public struct FieldMapping: Sendable {
    /// The field's path (in the record, or in an array element).
    public var path: [String]
    /// A column or SQL expression over the row.
    public var expression: String
    /// Local code (as text) → the standard's value; `nil`: the value is taken as it is.
    public var codes: [String: JSONValue]?
    /// The value for a local code missing from `codes`; `nil`: the field is left out.
    public var fallback: JSONValue?
    /// Where the field is in the mapping file, for messages: `werkzoekenden.fields.x`, and its line.
    public var location: String
    public var line: Int?
    /// `location` with its line, for messages that do not start with the file.
    var place: String { location + (line.map { " (line \($0))" } ?? "") }

    public var name: String { path.joined(separator: ".") }
    var leaf: String { path.last ?? "" }
    /// Dates travel as `YYYY-MM-DD`; the expression may be a `date`, a `timestamp` or ISO text.
    var isDate: Bool { leaf.lowercased().contains("datum") }

    /// How one value read from the database translates.
    enum Translation: Equatable {
        case absent
        case value(JSONValue)
        case fallback(JSONValue)
        case untranslated(String)
    }

    func translate(_ text: String?) -> Translation {
        guard let text, !text.isEmpty else { return .absent }
        guard let codes else { return .value(RecordPaths.value(text, leaf: leaf)) }
        if let standard = codes[text] { return .value(standard) }
        if let fallback { return .fallback(fallback) }
        return .untranslated(text)
    }
}

/// A mapping file that cannot be used; says where and what.
public struct MappingError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension BronMapping {
    public init(contentsOf path: String) throws(MappingError) {
        let text: String
        do { text = try FileContents.text(path) } catch {
            throw MappingError("cannot read the mapping file \(path): \(error)")
        }
        try self.init(yaml: text, file: path)
    }

    /// Reads and checks a mapping: known keys only, every path a field of the standard, every code a
    /// valid value of its field, the id and the postcode mapped. The live schema is checked by
    /// `MappingCheck` and when the source opens.
    public init(yaml text: String, file: String = "mapping.yaml") throws(MappingError) {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw MappingError("\(file): not YAML: \(error)") }
        guard let root, let top = root.mapping else {
            throw MappingError("\(file): expected werkzoekenden: and/or vacatures:")
        }
        let reader = MappingReader(file: file)
        for (key, _) in top where !["werkzoekenden", "vacatures"].contains(key.string ?? "") {
            throw reader.fail(key, key.string ?? "?", "unknown key (known: werkzoekenden, vacatures)")
        }
        werkzoekenden = try top["werkzoekenden"].map { n throws(MappingError) in try reader.records(n, .werkzoekenden) }
        vacatures = try top["vacatures"].map { n throws(MappingError) in try reader.records(n, .vacatures) }
        guard werkzoekenden != nil || vacatures != nil else {
            throw MappingError("\(file): maps no dataset (werkzoekenden: and/or vacatures:)")
        }
    }
}

/// Reads the YAML of a mapping file; every error names the file, the line and the key path.
struct MappingReader {
    let file: String

    func fail(_ node: Node?, _ path: String, _ message: String) -> MappingError {
        MappingError("\(file)\(node?.mark.map { " line \($0.line)" } ?? ""): \(path): \(message)")
    }

    func object(_ node: Node, _ path: String, allowed: [String]) throws(MappingError) -> [(String, Node)] {
        guard let m = node.mapping else { throw fail(node, path, "expected key: value lines") }
        var entries: [(String, Node)] = []
        for (k, v) in m {
            guard let name = k.string else { throw fail(k, path, "a key must be text") }
            guard allowed.isEmpty || allowed.contains(name) else {
                throw fail(k, "\(path).\(name)", "unknown key (known: \(allowed.joined(separator: ", ")))")
            }
            entries.append((name, v))
        }
        return entries
    }

    func text(_ node: Node, _ path: String) throws(MappingError) -> String {
        guard case .scalar(let s) = node, !s.string.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw fail(node, path, "expected a value (a column or an SQL expression)")
        }
        return s.string
    }

    func records(_ node: Node, _ g: Gegevensset) throws(MappingError) -> RecordMapping {
        let base = g.rawValue
        let entries = try object(node, base, allowed: ["table", "where", "pc4", "fields", "arrays"])
        func value(_ key: String) -> Node? { entries.first { $0.0 == key }?.1 }
        guard let tableNode = value("table") else {
            throw fail(node, "\(base).table", "is required: the table or view with one row per record")
        }
        let table = try tableName(tableNode, "\(base).table")
        guard let fieldsNode = value("fields") else { throw fail(node, "\(base).fields", "is required") }
        var fields: [FieldMapping] = []
        for (name, v) in try object(fieldsNode, "\(base).fields", allowed: []) {
            fields.append(
                try field(
                    v, path: name.split(separator: ".").map(String.init), location: "\(base).fields.\(name)", g: g))
        }
        var arrays: [ArrayMapping] = []
        if let arraysNode = value("arrays") {
            for (name, v) in try object(arraysNode, "\(base).arrays", allowed: []) {
                arrays.append(try array(v, name: name, g: g))
            }
        }
        let id = g.idKey
        let postcode = RecordMapping.postcodeField(g).joined(separator: ".")
        guard let postcodeField = fields.first(where: { $0.name == postcode }) else {
            throw fail(fieldsNode, "\(base).fields", "\(postcode) is required: it places the record for selectiegebied")
        }
        guard fields.contains(where: { $0.name == id }) else {
            throw fail(fieldsNode, "\(base).fields", "\(id) is required")
        }
        guard postcodeField.codes == nil else {
            throw fail(fieldsNode, "\(base).fields.\(postcode)", "a postcode has no codes")
        }
        let pc4 =
            try value("pc4").map { n throws(MappingError) in try text(n, "\(base).pc4") }
            ?? "left(upper(replace((\(postcodeField.expression))::text, ' ', '')), 4)"
        let filter = try value("where").map { n throws(MappingError) in try text(n, "\(base).where") }
        let mapping = RecordMapping(
            gegevensset: g, table: table, filter: filter, pc4: pc4, fields: fields, arrays: arrays)
        try ProbeRecord.check(mapping, file: file)
        return mapping
    }

    func array(_ node: Node, name: String, g: Gegevensset) throws(MappingError) -> ArrayMapping {
        let base = "\(g.rawValue).arrays.\(name)"
        let entries = try object(
            node, base, allowed: ["table", "key", "where", "fields", "column", "codes", "default"])
        func value(_ key: String) -> Node? { entries.first { $0.0 == key }?.1 }
        guard let tableNode = value("table") else {
            throw fail(node, "\(base).table", "is required: the child table with one row per element")
        }
        guard let keyNode = value("key") else {
            throw fail(node, "\(base).key", "is required: the child's column holding the record's id")
        }
        let key = try text(keyNode, "\(base).key")
        guard Self.isIdentifier(key) else { throw fail(keyNode, "\(base).key", "\"\(key)\" is not a column name") }
        let path = name.split(separator: ".").map(String.init)
        var fields: [FieldMapping] = []
        if let fieldsNode = value("fields") {
            guard value("column") == nil else {
                throw fail(node, base, "give either fields: (an array of objects) or column: (of values)")
            }
            for (f, v) in try object(fieldsNode, "\(base).fields", allowed: []) {
                fields.append(
                    try field(
                        v, path: f.split(separator: ".").map(String.init), location: "\(base).fields.\(f)", g: g,
                        leafOverride: f.split(separator: ".").last.map(String.init)))
            }
        } else if value("column") != nil {
            fields.append(try field(node, path: [], location: base, g: g, leafOverride: path.last, allowExtra: true))
        } else {
            throw fail(node, base, "fields: (an array of objects) or column: (an array of values) is required")
        }
        return ArrayMapping(
            path: path, table: try tableName(tableNode, "\(base).table"), key: key,
            filter: try value("where").map { n throws(MappingError) in try text(n, "\(base).where") }, fields: fields)
    }

    func field(
        _ node: Node, path: [String], location: String, g: Gegevensset, leafOverride: String? = nil,
        allowExtra: Bool = false
    ) throws(MappingError) -> FieldMapping {
        guard !path.contains(where: \.isEmpty) else {
            throw fail(node, location, "is not a dotted path of the standard")
        }
        let leaf = leafOverride ?? path.last ?? ""
        let line = node.mark?.line
        if case .scalar = node {
            return FieldMapping(
                path: path, expression: try text(node, location), codes: nil, fallback: nil, location: location,
                line: line)
        }
        let allowed =
            allowExtra ? ["table", "key", "where", "column", "codes", "default"] : ["column", "codes", "default"]
        let entries = try object(node, location, allowed: allowed)
        func value(_ key: String) -> Node? { entries.first { $0.0 == key }?.1 }
        guard let columnNode = value("column") else { throw fail(node, "\(location).column", "is required") }
        var codes: [String: JSONValue]?
        if let codesNode = value("codes") {
            var table: [String: JSONValue] = [:]
            for (local, standard) in try object(codesNode, "\(location).codes", allowed: []) {
                table[local] = try standardValue(standard, leaf: leaf, "\(location).codes.\(local)")
            }
            codes = table
        }
        var fallback: JSONValue?
        if let d = value("default") {
            let text = try self.text(d, "\(location).default")
            if text != "leave-out" {
                guard codes != nil else {
                    throw fail(
                        d, "\(location).default", "applies to local codes missing from codes:, and there is no codes:")
                }
                fallback = try standardValue(d, leaf: leaf, "\(location).default")
            }
        }
        return FieldMapping(
            path: path, expression: try text(columnNode, "\(location).column"), codes: codes,
            fallback: fallback, location: location, line: line)
    }

    func standardValue(_ node: Node, leaf: String, _ path: String) throws(MappingError) -> JSONValue {
        guard case .scalar(let s) = node else { throw fail(node, path, "expected one value of the standard") }
        if RecordPaths.isInteger(leaf) {
            guard let n = Int64(s.string) else {
                throw fail(node, path, "\"\(s.string)\" is not a number; \(leaf) is a number in the standard")
            }
            return .number(.integer(n))
        }
        return .string(s.string)
    }

    func tableName(_ node: Node, _ path: String) throws(MappingError) -> String {
        let name = try text(node, path)
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ Self.isIdentifier(String($0)) }) else {
            throw fail(node, path, "\"\(name)\" is not a table name (table or schema.table)")
        }
        return name
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, first == 0x5F || (0x61...0x7A).contains(first | 0x20) else { return false }
        return s.utf8.allSatisfy { $0 == 0x5F || (0x61...0x7A).contains($0 | 0x20) || (0x30...0x39).contains($0) }
    }
}
