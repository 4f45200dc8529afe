import Foundation
import VUMStandaard
import VUMTesting

@testable import VUMAdapter

/// The worked example of Docs/aansluitkit.md section 9 (`Docs/examples/legacy-crm/`), filled with generated
/// werkzoekenden written in the CRM's own local codes, plus the records the mapping should read back:
/// each generated record reduced to the mapped fields, in klantnummer order (the order the source breaks
/// ties in). A few extra rows test the edges: an inactive row, an invalid one, a local code outside the
/// code table, an occupation not yet classified, a level the mapping leaves out.
struct LegacyCRM {
    static let folder: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url = url.deletingLastPathComponent()
        }
        return url.appendingPathComponent("Docs/examples/legacy-crm")
    }()
    static var schemaSQL: String {
        get throws { try String(contentsOf: folder.appendingPathComponent("schema.sql"), encoding: .utf8) }
    }
    static var mappingPath: String { folder.appendingPathComponent("mapping.yaml").path }

    let mapping: BronMapping
    var sql = ""
    var expected: [WerkzoekendeMatchingProfiel] = []
    /// Klantnummers of the edge rows.
    static let inactive = 900_000, invalid = 900_001, unknownLocalCode = 900_002, leftOutLevel = 900_003

    init(count: Int, seed: UInt64) throws {
        mapping = try BronMapping(contentsOf: Self.mappingPath)
        let m = mapping.werkzoekenden!
        let data = SyntheticData(seed: seed, table: testPC4Table)
        var catalogue: [String: String] = [:]
        var lines = ["INSERT INTO crm.beroep VALUES ('B9999', 'nog niet geclassificeerd', NULL);"]
        for (i, uri) in SyntheticData.occupations.enumerated() {
            catalogue[uri.rawValue] = "B\(1000 + i)"
            lines.append(
                "INSERT INTO crm.beroep VALUES ('B\(1000 + i)', 'beroep \(i)', \(Self.literal(uri.rawValue)));")
        }
        var records: [(Int, JSONValue)] = (0..<count).map { (1000 + $0, data.werkzoekende($0).json) }
        // The edge rows are copies of generated records with one thing changed.
        records += [
            (Self.inactive, records[0].1), (Self.invalid, records[1].1), (Self.unknownLocalCode, records[2].1),
            (Self.leftOutLevel, records[4].1),
        ]
        for (k, json) in records {
            var row = try klantRow(k, json, m)
            var projected = Self.project(json, m)
            Self.set(&projected, "idWerkzoekende", .string(String(k)))
            switch k {
            case Self.inactive: row["status"] = "'I'"
            case Self.invalid: row["uren_max"] = "150"
            case Self.unknownLocalCode:
                row["ploegendienst"] = "'X'"
                Self.set(&projected, "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst", .number(.integer(0)))
            case Self.leftOutLevel:
                row["opleidingsniveau"] = "'MAVO'"
                Self.set(&projected, "arbeidsmarktkwalificatie.codeWerkEnDenkniveauWerkzoekende", nil)
            default: break
            }
            let columns = row.keys.sorted()
            lines.append(
                "INSERT INTO crm.klant (\(columns.joined(separator: ", "))) VALUES ("
                    + columns.map { row[$0]! }.joined(separator: ", ") + ");")
            for element in Self.elements(json, "bemiddelingsberoep") {
                guard case .string(let uri)? = Self.at(element, "codeBeroepsnaam"), let code = catalogue[uri] else {
                    continue
                }
                lines.append("INSERT INTO crm.beroepswens VALUES (\(k), '\(code)');")
            }
            if k == 1003 { lines.append("INSERT INTO crm.beroepswens VALUES (\(k), 'B9999');") }
            let rijbewijs = m.array("arbeidsmarktkwalificatie.rijbewijs")!
            for element in Self.elements(json, "arbeidsmarktkwalificatie.rijbewijs") {
                lines.append(
                    "INSERT INTO crm.rijbewijs VALUES (\(k), \(try Self.local(element, "codeSoortRijbewijs", rijbewijs.field("codeSoortRijbewijs")!)));"
                )
            }
            let taal = m.array("arbeidsmarktkwalificatie.taalbeheersing")!
            for element in Self.elements(json, "arbeidsmarktkwalificatie.taalbeheersing") {
                let values = try [
                    "codeTaal", "codeNiveauTaalbeheersingMondeling", "codeNiveauTaalbeheersingSchriftelijk",
                ].map {
                    try Self.local(element, $0, taal.field($0)!)
                }
                lines.append("INSERT INTO crm.taal VALUES (\(k), \(values.joined(separator: ", ")));")
            }
            let contract = m.array("contractvorm")!
            for element in Self.elements(json, "contractvorm") {
                let values = try ["codeTypeArbeidscontract", "codeTypeOvereenkomst"].map {
                    try Self.local(element, $0, contract.field($0)!)
                }
                lines.append("INSERT INTO crm.contractwens VALUES (\(k), \(values.joined(separator: ", ")));")
            }
            if k != Self.inactive, k != Self.invalid {
                expected.append(try WerkzoekendeMatchingProfiel(json: projected))
            }
        }
        sql = lines.joined(separator: "\n")
    }

    /// The CRM's klant row of a record, as SQL literals by column.
    func klantRow(_ k: Int, _ json: JSONValue, _ m: RecordMapping) throws -> [String: String] {
        var row = ["klantnummer": String(k), "status": "'A'"]
        if case .string(let postcode)? = Self.at(json, "mobiliteit.bemiddelingspostcode") {
            row["postcode"] = Self.literal(postcode.prefix(4) + " " + postcode.dropFirst(4))
        }
        let columns = [
            "reisafstand_km": "mobiliteit.maximaleReisafstand", "reistijd_min": "mobiliteit.maximaleReistijd",
            "contact_akkoord": "indicatieBeschikbaarheidContactgegevens",
            "beschikbaar_per": "flexibiliteit.datumAanvangBeschikbaarVoorWerk",
            "ploegendienst": "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst",
            "kantoortijden": "werktijden.indicatieKantoortijden",
            "uren_min": "werktijden.aantalWerkurenPerWeekMinimaal",
            "uren_max": "werktijden.aantalWerkurenPerWeekMaximaal",
            "opleidingsniveau": "arbeidsmarktkwalificatie.codeWerkEnDenkniveauWerkzoekende",
        ]
        for (column, path) in columns { row[column] = try Self.local(json, path, m.field(path)!) }
        return row
    }

    /// The local value (an SQL literal) a CRM would hold for the standard's value at `path`.
    static func local(_ json: JSONValue, _ path: String, _ f: FieldMapping) throws -> String {
        guard let value = at(json, path) else { return "NULL" }
        guard let codes = f.codes else {
            if case .number(.integer(let n)) = value { return String(n) }
            if case .string(let s) = value { return literal(s) }
            throw InboxError("\(path): unexpected \(value)")
        }
        guard let local = codes.filter({ $0.value == value }).keys.sorted().first else {
            throw InboxError("\(path): the mapping has no local code for \(value)")
        }
        return literal(local)
    }

    /// The record with only the mapped fields (what reading it back through the mapping can give).
    static func project(_ json: JSONValue, _ m: RecordMapping) -> JSONValue {
        var result = JSONValue.object(JSONObject())
        for f in m.fields { if let v = at(json, f.name) { set(&result, f.name, v) } }
        for a in m.arrays {
            let kept = elements(json, a.name).compactMap { element -> JSONValue? in
                var e = JSONValue.object(JSONObject())
                for f in a.fields { if let v = at(element, f.name) { set(&e, f.name, v) } }
                if case .object(let o) = e, o.isEmpty { return nil }
                return e
            }
            if !kept.isEmpty { set(&result, a.name, .array(kept)) }
        }
        return result
    }

    static func at(_ json: JSONValue, _ path: String) -> JSONValue? {
        var current = json
        for key in path.split(separator: ".") {
            guard case .object(let o) = current, let next = o[String(key)] else { return nil }
            current = next
        }
        return current
    }

    static func elements(_ json: JSONValue, _ path: String) -> [JSONValue] {
        if case .array(let a)? = at(json, path) { a } else { [] }
    }

    static func set(_ json: inout JSONValue, _ path: String, _ value: JSONValue?) {
        let keys = path.split(separator: ".").map(String.init)
        if let value {
            RecordPaths.set(&json, keys, value)
        } else {
            let parentPath = Array(keys.dropLast())
            let parent = parentPath.isEmpty ? json : at(json, parentPath.joined(separator: "."))
            guard case .object(var o)? = parent else { return }
            o[keys.last!] = nil
            if parentPath.isEmpty { json = .object(o) } else { RecordPaths.set(&json, parentPath, .object(o)) }
        }
    }

    static func literal(_ s: some StringProtocol) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
}
