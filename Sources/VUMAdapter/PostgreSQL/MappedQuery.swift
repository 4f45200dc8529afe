import PostgresNIO
import VUMStandaard

/// The SQL types of a mapping's expressions as the live database reports them (`pg_typeof`): they decide
/// how a criterion compares, so that the partner's indexes on its own columns can serve the question.
struct ExpressionTypes: Sendable {
    /// By field name (`werktijden.aantalWerkurenPerWeekMinimaal`) and by `array/field`.
    var byField: [String: String]
    func of(_ f: FieldMapping, in array: ArrayMapping? = nil) -> String {
        byField[array.map { "\($0.name)/\(f.name)" } ?? f.name] ?? "unknown"
    }
    static let textual: Set<String> = ["text", "character varying", "character", "name", "citext"]
    static let integers: Set<String> = ["smallint", "integer", "bigint"]
}

/// A selectievraag, a detail lookup or a sample as one parameterised query over the partner's tables.
///
/// The record table is read through a derived table `r` (one row per record: the id, the PC4, each
/// field as text for the record and as itself for conditions); PostgreSQL flattens it, so a condition on
/// `r.vum_rN` is a condition on the partner's column or expression and can use its index. Each array
/// comes from its child table as one `json_agg` per record. Question values are always bound (`$n`);
/// only the mapping file's own SQL is part of the text.
///
/// Conditions narrow the candidates; they never decide alone. Every row read is translated, validated
/// and checked by the evaluator, so a condition that cannot be pushed down exactly (a range over text,
/// say) is simply left to the evaluator.
struct MappedQuery {
    var sql: String
    var binds: PostgresBindings

    static func search(_ m: RecordMapping, _ types: ExpressionTypes, criteria: [Criterium], areas: [Int]) -> MappedQuery
    {
        var binds = PostgresBindings()
        binds.append(areas.map(String.init))
        var conditions = ConditionBuilder(mapping: m, types: types, binds: binds)
        let wheres = criteria.map { conditions.condition($0) }.compactMap { $0 }
        return MappedQuery(
            sql: "SELECT a.rang, \(columns(m)) FROM \(recordSource(m)) "
                + "JOIN unnest($1::text[]) WITH ORDINALITY AS a(pc4, rang) ON r.vum_pc4 = a.pc4"
                + (wheres.isEmpty ? "" : " WHERE " + wheres.joined(separator: " AND ")) + " ORDER BY a.rang, r.vum_id",
            binds: conditions.binds)
    }

    /// The record with this id; `nil` when the id cannot be one of this table's (letters for a number).
    static func detail(_ m: RecordMapping, _ types: ExpressionTypes, id: RecordID) -> MappedQuery? {
        var binds = PostgresBindings()
        let type = types.of(m.id)
        let condition: String
        if ExpressionTypes.integers.contains(type) {
            guard let n = Int64(id.rawValue) else { return nil }
            binds.append(Int(n))
            condition = "r.vum_id = $1"
        } else if ExpressionTypes.textual.contains(type) {
            binds.append(id.rawValue)
            condition = "r.vum_id = $1"
        } else {
            binds.append(id.rawValue)
            condition = "r.vum_id::text = $1"
        }
        return MappedQuery(
            sql: "SELECT 0::bigint, \(columns(m)) FROM \(recordSource(m)) WHERE \(condition)", binds: binds)
    }

    /// The first `limit` records, for `vum-adapter mapping check`.
    static func sample(_ m: RecordMapping, limit: Int) -> MappedQuery {
        var binds = PostgresBindings()
        binds.append(limit)
        return MappedQuery(sql: "SELECT 0::bigint, \(columns(m)) FROM \(recordSource(m)) LIMIT $1", binds: binds)
    }

    /// `pg_typeof` of the given expressions over a table, read even when the table is empty (the join
    /// yields one row of NULLs of the right types).
    static func types(table: String, _ expressions: [String]) -> String {
        "SELECT " + expressions.map { "pg_typeof(\($0))::text" }.joined(separator: ", ")
            + " FROM (SELECT 1) AS vum_one LEFT JOIN \(table) ON false"
    }

    static func read(_ f: FieldMapping) -> String {
        f.isDate ? "to_char((\(f.expression))::date, 'YYYY-MM-DD')" : "(\(f.expression))::text"
    }

    static func recordSource(_ m: RecordMapping) -> String {
        var columns = ["(\(m.id.expression)) AS vum_id", "(\(m.pc4))::text AS vum_pc4"]
        for (i, f) in m.fields.enumerated() {
            columns.append("\(read(f)) AS vum_t\(i)")
            columns.append("(\(f.expression)) AS vum_r\(i)")
        }
        return
            "(SELECT \(columns.joined(separator: ", ")) FROM \(m.table)\(m.filter.map { " WHERE (\($0))" } ?? "")) AS r"
    }

    /// The id, each field as text, each array as JSON text of rows of texts.
    static func columns(_ m: RecordMapping) -> String {
        (["r.vum_id::text"] + m.fields.indices.map { "r.vum_t\($0)" }
            + m.arrays.map { a in
                let elements = a.fields.map(read).joined(separator: ", ")
                return
                    "(SELECT json_agg(json_build_array(\(elements))) FROM \(a.table) AS c WHERE c.\(a.key) = r.vum_id"
                    + "\(a.filter.map { " AND (\($0))" } ?? ""))::text"
            }).joined(separator: ", ")
    }
}

/// Turns criteria into SQL conditions with bound values; `nil` where the condition is left to the evaluator.
struct ConditionBuilder {
    let mapping: RecordMapping
    let types: ExpressionTypes
    var binds: PostgresBindings

    private mutating func parameter(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func condition(_ c: Criterium) -> String? {
        let g = mapping.gegevensset
        switch c {
        case .onregelmatigWerk(let i):
            return scalar(
                "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst", oneOf: [.number(.integer(Int64(i.rawValue)))])
        case .kantoortijden(let i):
            return scalar("werktijden.indicatieKantoortijden", oneOf: [.number(.integer(Int64(i.rawValue)))])
        case .urenPerWeekMaximaalMinstens(let n):
            return scalar("werktijden.aantalWerkurenPerWeekMaximaal", ">=", .number(.integer(Int64(n))))
        case .urenPerWeekMinimaalHoogstens(let n):
            return scalar("werktijden.aantalWerkurenPerWeekMinimaal", "<=", .number(.integer(Int64(n))))
        case .beschikbaarUiterlijk(let d):
            return scalar("flexibiliteit.datumAanvangBeschikbaarVoorWerk", "<=", .string(d.rawValue))
        case .aanvangWerkzaamhedenVanaf(let d):
            return scalar("arbeidsVoorwaarden.datumAanvangWerkzaamheden", ">=", .string(d.rawValue))
        case .beroep(let uri): return scalar("beroep.codeBeroepsnaam", oneOf: [.string(uri.rawValue)])
        case .werkEnDenkniveauVanaf(let from):
            let levels = (0...6).map(String.init).filter { $0 >= from.rawValue }.map(JSONValue.string)
            return scalar("codeWerkEnDenkniveauMinimaal", oneOf: levels)
        case .werkEnDenkniveauGelijk(let code):
            return scalar("codeWerkEnDenkniveauMinimaal", oneOf: [.string(code.rawValue)])
        case .bemiddelingsberoep(let uris):
            return exists("bemiddelingsberoep") { b, a in
                b.element(a, "codeBeroepsnaam", oneOf: uris.map { .string($0.rawValue) })
            }
        case .contractvorm(let branches):
            return exists("contractvorm") { b, a in
                let alternatives = branches.map { branch -> String in
                    var parts: [String] = []
                    if let x = branch.codeTypeArbeidscontract {
                        parts.append(b.element(a, "codeTypeArbeidscontract", oneOf: [.string(x.rawValue)]) ?? "false")
                    }
                    if let x = branch.codeTypeOvereenkomst {
                        parts.append(b.element(a, "codeTypeOvereenkomst", oneOf: [.string(x.rawValue)]) ?? "false")
                    }
                    return parts.isEmpty ? "false" : "(" + parts.joined(separator: " AND ") + ")"
                }
                return "(" + alternatives.joined(separator: " OR ") + ")"
            }
        case .rijbewijzen(let soorten):
            let name = g == .werkzoekenden ? "arbeidsmarktkwalificatie.rijbewijs" : "rijbewijs"
            let all = soorten.compactMap { soort in
                exists(name) { b, a in b.element(a, "codeSoortRijbewijs", oneOf: [.string(soort.rawValue)]) }
            }
            return all.isEmpty ? nil : all.joined(separator: " AND ")
        case .talen(let eisen):
            let name = g == .werkzoekenden ? "arbeidsmarktkwalificatie.taalbeheersing" : "taalbeheersing"
            let all = eisen.compactMap { eis in
                exists(name) { b, a in
                    var parts = [b.element(a, "codeTaal", oneOf: [.string(eis.codeTaal.rawValue)])]
                    if let m = eis.minimaalMondeling {
                        parts.append(
                            b.element(a, "codeNiveauTaalbeheersingMondeling", ">=", .number(.integer(Int64(m)))))
                    }
                    if let s = eis.minimaalSchriftelijk {
                        parts.append(
                            b.element(a, "codeNiveauTaalbeheersingSchriftelijk", ">=", .number(.integer(Int64(s)))))
                    }
                    let known = parts.compactMap { $0 }
                    return known.isEmpty ? nil : known.joined(separator: " AND ")
                }
            }
            return all.isEmpty ? nil : all.joined(separator: " AND ")
        }
    }

    // MARK: - Scalars on the record's row

    private mutating func scalar(_ name: String, oneOf values: [JSONValue]) -> String? {
        guard let i = mapping.fields.firstIndex(where: { $0.name == name }) else { return nil }
        return membership("r.vum_r\(i)", mapping.fields[i], types.of(mapping.fields[i]), values)
    }

    private mutating func scalar(_ name: String, _ op: String, _ bound: JSONValue) -> String? {
        guard let i = mapping.fields.firstIndex(where: { $0.name == name }) else { return nil }
        return range("r.vum_r\(i)", mapping.fields[i], types.of(mapping.fields[i]), op, bound)
    }

    // MARK: - Elements in a child table

    private mutating func exists(_ arrayName: String, _ body: (inout ConditionBuilder, ArrayMapping) -> String?)
        -> String?
    {
        guard let a = mapping.array(arrayName), let inner = body(&self, a) else { return nil }
        return
            "EXISTS (SELECT 1 FROM \(a.table) AS c WHERE c.\(a.key) = r.vum_id\(a.filter.map { " AND (\($0))" } ?? "") AND \(inner))"
    }

    mutating func element(_ a: ArrayMapping, _ name: String, oneOf values: [JSONValue]) -> String? {
        // An element field that is not mapped is absent, so the criterion cannot hold: exactly `false`.
        guard let f = a.field(name) else { return "false" }
        return membership("(\(f.expression))", f, types.of(f, in: a), values)
    }

    mutating func element(_ a: ArrayMapping, _ name: String, _ op: String, _ bound: JSONValue) -> String? {
        guard let f = a.field(name) else { return "false" }
        return range("(\(f.expression))", f, types.of(f, in: a), op, bound)
    }

    // MARK: - Comparisons

    /// The field's value translates to one of `values`.
    private mutating func membership(_ expr: String, _ f: FieldMapping, _ type: String, _ values: [JSONValue])
        -> String?
    {
        if let codes = f.codes {
            let locals = codes.filter { values.contains($0.value) }.keys.sorted()
            var alternatives: [String] = []
            if !locals.isEmpty { alternatives.append("(\(expr))::text = ANY(\(parameter(locals))::text[])") }
            if let fallback = f.fallback, values.contains(fallback) {
                alternatives.append("NOT ((\(expr))::text = ANY(\(parameter(codes.keys.sorted()))::text[]))")
            }
            return alternatives.isEmpty ? "false" : "(" + alternatives.joined(separator: " OR ") + ")"
        }
        if RecordPaths.isInteger(f.leaf), ExpressionTypes.integers.contains(type) {
            let numbers = values.compactMap { v -> Int? in if case .number(.integer(let n)) = v { Int(n) } else { nil }
            }
            return "\(expr) = ANY(\(parameter(numbers))::int8[])"
        }
        let texts = values.map(Self.text)
        if ExpressionTypes.textual.contains(type) { return "\(expr) = ANY(\(parameter(texts))::text[])" }
        return "(\(expr))::text = ANY(\(parameter(texts))::text[])"
    }

    /// The field's value compares with `bound` by `op` (`>=`, `<=`).
    private mutating func range(_ expr: String, _ f: FieldMapping, _ type: String, _ op: String, _ bound: JSONValue)
        -> String?
    {
        if let codes = f.codes {
            let candidates = Set(codes.values).union(f.fallback.map { [$0] } ?? [])
            return membership(
                expr, f, type,
                candidates.filter { Self.compare($0, op, bound) }.sorted { Self.text($0) < Self.text($1) })
        }
        if f.isDate { return "(\(expr))::date \(op) \(parameter(Self.text(bound)))::date" }
        if case .number(.integer(let n)) = bound, ExpressionTypes.integers.contains(type) {
            return "\(expr) \(op) \(parameter(Int(n)))"
        }
        if case .string(let s) = bound, ExpressionTypes.textual.contains(type) {
            return "\(expr) \(op) \(parameter(s))"
        }
        return nil
    }

    static func compare(_ value: JSONValue, _ op: String, _ bound: JSONValue) -> Bool {
        switch (value, bound) {
        case (.number(.integer(let a)), .number(.integer(let b))): op == ">=" ? a >= b : a <= b
        case (.string(let a), .string(let b)): op == ">=" ? a >= b : a <= b
        default: false
        }
    }

    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .number(.integer(let n)): String(n)
        default: "\(v)"
        }
    }
}
