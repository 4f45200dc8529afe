import Foundation
import Logging
import PostgresNIO
import VUMConfiguration
import VUMStandaard

/// `vum-adapter mapping check`: before a bron goes live, connect to its database, check the mapping
/// against the live schema, read a sample of records through it, and report per field how many values
/// translate, fall back to the default or stay untranslated, which records would be left out and why,
/// the completeness the bron will reach, which criteria it can apply, and how PostgreSQL plans a
/// typical question.
public enum MappingCheck {
    public static func run(
        _ mapping: BronMapping, client: PostgresClient, table: PC4Table, sample: Int = 1000,
        logger: Logger = Logger(label: "vum.adapter.mapping-check")
    ) async -> MappingCheckReport {
        var report = MappingCheckReport()
        for g in Gegevensset.allCases {
            guard let m = mapping.records(g) else { continue }
            report.datasets.append(await check(m, client: client, table: table, sample: sample, logger: logger))
        }
        return report
    }

    static func check(
        _ m: RecordMapping, client: PostgresClient, table: PC4Table, sample: Int,
        logger: Logger
    ) async -> MappingCheckReport.Dataset {
        var d = MappingCheckReport.Dataset(gegevensset: m.gegevensset, table: m.table, filter: m.filter)
        let types: ExpressionTypes
        do {
            types = try await PostgresSource.resolveTypes(m, client: client, logger: logger)
        } catch {
            d.errors.append("\(error)")
            return d
        }
        d.notes = typeNotes(m, types)
        var fields: [String: MappingCheckReport.Field] = [:]
        var order: [String] = []
        func stats(_ key: String, _ f: FieldMapping, _ type: String) {
            if fields[key] == nil {
                fields[key] = .init(name: key.replacingOccurrences(of: "/", with: "[]."), type: type)
                order.append(key)
            }
        }
        for f in m.fields { stats(f.name, f, types.of(f)) }
        for a in m.arrays { for f in a.fields { stats("\(a.name)/\(f.name)", f, types.of(f, in: a)) } }

        var completeness = 0.0
        var missing: [String: Int] = [:]
        var firstPostcode: Postcode?
        let query = MappedQuery.sample(m, limit: sample)
        do {
            for try await row in try await client.query(
                PostgresQuery(unsafeSQL: query.sql, binds: query.binds), logger: logger)
            {
                let record = try MappedRecord(row, m, keepOutcomes: true)
                d.sampled += 1
                for (key, translation) in record.outcomes {
                    switch translation {
                    case .absent: fields[key]?.empty += 1
                    case .value: fields[key]?.translated += 1
                    case .fallback: fields[key]?.fellBack += 1
                    case .untranslated(let local):
                        fields[key]?.untranslated += 1
                        fields[key]?.untranslatedCodes[local, default: 0] += 1
                    }
                }
                let result: Result<(Completeness, Postcode), ValidationError> =
                    switch m.gegevensset {
                    case .werkzoekenden:
                        Werkzoekende.validate(record.json).map {
                            ($0.value.matchingProfiel.completeness, $0.value.matchPostcode)
                        }
                    case .vacatures:
                        Vacature.validate(record.json).map {
                            ($0.value.matchingProfiel.completeness, $0.value.matchPostcode)
                        }
                    }
                switch result {
                case .success(let (c, postcode)):
                    d.valid += 1
                    completeness += c.score
                    for name in c.missingSearchableFields { missing[name, default: 0] += 1 }
                    if firstPostcode == nil { firstPostcode = postcode }
                case .failure(let e):
                    d.invalid += 1
                    for issue in e.issues where issue.severity == .error {
                        d.issueCounts["\(Self.generalised(issue.path)): \(issue.message)", default: 0] += 1
                    }
                    if d.invalidExamples.count < 5 {
                        d.invalidExamples.append(
                            "\(record.id): "
                                + e.issues.filter { $0.severity == .error }.prefix(3)
                                .map(\.description).joined(separator: "; "))
                    }
                }
            }
        } catch let error as PSQLError {
            d.errors.append("reading the sample failed: \(PostgresServer.describe(error))")
        } catch {
            d.errors.append("reading the sample failed: \(error)")
        }
        d.fields = order.compactMap { fields[$0] }
        d.meanCompleteness = d.valid == 0 ? nil : completeness / Double(d.valid)
        d.mostOftenMissing = missing.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5)
            .map { ($0.key, Double($0.value) / Double(max(d.valid, 1))) }
        let supported = SupportedCriteria.keys(for: [m.gegevensset])
        d.appliedCriteria = supported.filter { MappedCriteria.isMapped($0, in: m) }
        d.ignoredCriteria = supported.filter { !MappedCriteria.isMapped($0, in: m) }
        if d.errors.isEmpty, let postcode = firstPostcode {
            d.plan = await plan(m, types, around: postcode, table: table, client: client, logger: logger)
        }
        return d
    }

    /// `arbeidsmarktkwalificatie.rijbewijs[2].codeSoortRijbewijs` → `...rijbewijs[].codeSoortRijbewijs`.
    static func generalised(_ path: String) -> String {
        path.replacingOccurrences(of: #"\[[0-9]+\]"#, with: "[]", options: .regularExpression)
    }

    static func typeNotes(_ m: RecordMapping, _ types: ExpressionTypes) -> [String] {
        var notes: [String] = []
        let dates: Set<String> = ["date", "timestamp without time zone", "timestamp with time zone"]
        func note(_ f: FieldMapping, _ type: String, _ name: String) {
            if f.isDate, !dates.contains(type), !ExpressionTypes.textual.contains(type) {
                notes.append("\(name) is \(type): it must read as a date (a date, a timestamp or YYYY-MM-DD text)")
            } else if f.codes == nil, RecordPaths.isInteger(f.leaf), ExpressionTypes.textual.contains(type) {
                notes.append(
                    "\(name) is \(type), a number in the standard: ranges on it are checked after reading, not in SQL")
            } else if f.codes == nil, !f.isDate, !RecordPaths.isInteger(f.leaf), ExpressionTypes.integers.contains(type)
            {
                notes.append("\(name) is \(type), text in the standard: compared as text, without the column's index")
            }
        }
        for f in m.fields { note(f, types.of(f), f.name) }
        for a in m.arrays { for f in a.fields { note(f, types.of(f, in: a), "\(a.name)[].\(f.name)") } }
        return notes
    }

    /// How PostgreSQL would run a question within 25 km of a sampled record: the plan's scan lines.
    static func plan(
        _ m: RecordMapping, _ types: ExpressionTypes, around postcode: Postcode, table: PC4Table,
        client: PostgresClient, logger: Logger
    ) async -> [String] {
        let evaluator = Evaluator(table: table)
        let text = #"{"selectiegebied":{"postcode":"\#(postcode.rawValue)","afstand":25}}"#
        guard let json = try? JSONValue.parse(text),
            let vraag = try? Selectievraag(json: json, gegevensset: m.gegevensset),
            let q = try? evaluator.prepare(vraag)
        else {
            return []
        }
        let query = MappedQuery.search(m, types, criteria: [], areas: evaluator.areas(q).map(\.pc4))
        var lines: [String] = []
        do {
            for try await row in try await client.query(
                PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds), logger: logger)
            {
                let line = try row.decode(String.self)
                if line.contains("Scan") {
                    lines.append(line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "->  ", with: ""))
                }
            }
        } catch {
            lines.append("EXPLAIN failed: \(error)")
        }
        return lines
    }
}

/// What `MappingCheck` found, per dataset; ``description`` is the report `vum-adapter mapping check` prints.
public struct MappingCheckReport: Sendable, CustomStringConvertible {
    public struct Field: Sendable {
        public var name: String
        public var type: String
        public var translated = 0
        public var fellBack = 0
        public var untranslated = 0
        public var empty = 0
        public var untranslatedCodes: [String: Int] = [:]
    }

    public struct Dataset: Sendable {
        public var gegevensset: Gegevensset
        public var table: String
        public var filter: String?
        /// The mapping cannot be used: an expression or a table that does not work.
        public var errors: [String] = []
        /// Types that work but limit what SQL can do.
        public var notes: [String] = []
        public var sampled = 0
        public var valid = 0
        public var invalid = 0
        public var invalidExamples: [String] = []
        public var issueCounts: [String: Int] = [:]
        public var fields: [Field] = []
        public var meanCompleteness: Double?
        public var mostOftenMissing: [(field: String, share: Double)] = []
        public var appliedCriteria: [String] = []
        public var ignoredCriteria: [String] = []
        public var plan: [String] = []
    }

    public var datasets: [Dataset] = []

    /// Whether the adapter can serve with this mapping (values left out or records reported still leave it usable).
    public var isUsable: Bool { datasets.allSatisfy { $0.errors.isEmpty } }
    public var errors: [String] { datasets.flatMap { d in d.errors.map { "\(d.gegevensset.rawValue): \($0)" } } }

    public var description: String {
        var out: [String] = []
        for d in datasets {
            out.append("\(d.gegevensset.rawValue) from \(d.table)\(d.filter.map { " where \($0)" } ?? "")")
            for e in d.errors { out.append("  ERROR \(e)") }
            guard d.errors.isEmpty || d.sampled > 0 else { continue }
            out.append(
                "  sampled \(d.sampled) rows: \(d.valid) valid records, \(d.invalid) invalid (reported and left out when serving)"
            )
            for (issue, n) in d.issueCounts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).prefix(8) {
                out.append("    \(n)× \(issue)")
            }
            for e in d.invalidExamples { out.append("    e.g. \(e)") }
            if let c = d.meanCompleteness {
                let missing = d.mostOftenMissing.map { "\($0.field) \(Int(($0.share * 100).rounded()))%" }.joined(
                    separator: ", ")
                out.append(
                    "  completeness: \(String(format: "%.2f", c)) on average (searchable fields weigh 3×)"
                        + (missing.isEmpty ? "" : "; most often missing: \(missing)"))
            }
            let width = max(5, d.fields.map(\.name.count).max() ?? 0)
            out.append(
                "  " + "field".padding(toLength: width, withPad: " ", startingAt: 0)
                    + "  type                         translated  default  untranslated  empty")
            for f in d.fields {
                out.append(
                    "  " + f.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                        + f.type.padding(toLength: 27, withPad: " ", startingAt: 0)
                        + String(format: "  %10d  %7d  %12d  %5d", f.translated, f.fellBack, f.untranslated, f.empty))
            }
            for f in d.fields where !f.untranslatedCodes.isEmpty {
                let codes = f.untranslatedCodes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(8)
                    .map { "\"\($0.key)\" ×\($0.value)" }.joined(separator: ", ")
                out.append("  untranslated local codes of \(f.name) (left out): \(codes)")
            }
            for n in d.notes { out.append("  note: \(n)") }
            out.append(
                "  criteria applied: \(d.appliedCriteria.isEmpty ? "none" : d.appliedCriteria.joined(separator: ", "))")
            if !d.ignoredCriteria.isEmpty {
                out.append(
                    "  criteria not applied (their fields are not mapped; reported back as genegeerdeCriteria): "
                        + d.ignoredCriteria.joined(separator: ", "))
            }
            if !d.plan.isEmpty {
                out.append("  plan of a question within 25 km:")
                for line in d.plan { out.append("    \(line)") }
            }
        }
        out.append(isUsable ? "mapping usable" : "mapping NOT usable: \(errors.count) error(s)")
        return out.joined(separator: "\n")
    }
}
