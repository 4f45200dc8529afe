import PostgresNIO
import VUMStandaard

/// One row of a `MappedQuery` read back as a record of the standard: each field's text translated by its
/// mapping (codes, fallback, left out), arrays assembled from their child rows. What each field did is
/// kept for `vum-adapter mapping check`.
struct MappedRecord {
    /// The area's rank in the question's list (1 = nearest), 0 outside a search.
    var rang: Int64
    var id: String
    var json: JSONValue
    /// Per field (`array/field` for elements): how its values translated.
    var outcomes: [(key: String, translation: FieldMapping.Translation)]

    init(_ row: PostgresRow, _ m: RecordMapping, keepOutcomes: Bool = false) throws {
        let cells = row.makeRandomAccess()
        rang = try cells[0].decode(Int64.self)
        id = try cells[1].decode(String?.self) ?? ""
        var json = JSONValue.object(JSONObject())
        var outcomes: [(String, FieldMapping.Translation)] = []
        var column = 2
        for f in m.fields {
            let translation = f.translate(try cells[column].decode(String?.self))
            column += 1
            if keepOutcomes { outcomes.append((f.name, translation)) }
            switch translation {
            case .value(let v), .fallback(let v): RecordPaths.set(&json, f.path, v)
            case .absent, .untranslated: break
            }
        }
        for a in m.arrays {
            let text = try cells[column].decode(String?.self)
            column += 1
            guard let text, case .array(let rows) = try JSONValue.parse(text) else { continue }
            var elements: [JSONValue] = []
            for case .array(let values) in rows {
                var element: JSONValue = a.fields.first?.path.isEmpty == true ? .null : .object(JSONObject())
                var any = false
                for (f, value) in zip(a.fields, values) {
                    let raw: String? = if case .string(let s) = value { s } else { nil }
                    let translation = f.translate(raw)
                    if keepOutcomes { outcomes.append(("\(a.name)/\(f.name)", translation)) }
                    switch translation {
                    case .value(let v), .fallback(let v):
                        any = true
                        if f.path.isEmpty { element = v } else { RecordPaths.set(&element, f.path, v) }
                    case .absent, .untranslated: break
                    }
                }
                if any { elements.append(element) }
            }
            if !elements.isEmpty { RecordPaths.set(&json, a.path, .array(elements)) }
        }
        self.json = json
        self.outcomes = outcomes
    }
}
