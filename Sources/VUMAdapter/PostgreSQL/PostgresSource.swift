import Logging
import PostgresNIO
import Synchronization
import VUMConfiguration
import VUMExchange
import VUMStandaard

/// A bron whose records stay in the partner's own PostgreSQL database, read through a ``BronMapping``.
///
/// Each selectievraag becomes one parameterised query (``MappedQuery``): the selectiegebied's postcode
/// areas, nearest first, joined with the mapping's PC4 expression, and every criterion it can express as
/// a condition on the partner's columns. Rows arrive area by area; each is translated, validated as a
/// record of the standard and checked by the evaluator, and reading stops once more than the limit is in
/// hand and the next area lies farther, exactly as the SQLite store does. A row that does not translate to
/// a valid record is reported (logged with its id and what is wrong, and counted) and left out.
///
/// The caller owns the `PostgresClient` and runs it (`client.run()`, or as a service of the group).
public final class PostgresSource: BronSource {
    public let mapping: BronMapping
    let client: PostgresClient
    let types: [Gegevensset: ExpressionTypes]
    let evaluator: Evaluator
    let logger: Logger
    /// How long a query may take: until the deadline less `margin` (to publish the answer and let it
    /// travel), `detailTimeout` for a detail without one. A database that does not answer (gone, locked)
    /// makes the adapter answer `500.3` in time, not hang.
    let deadline: RequestDeadline
    /// The margin unless configured otherwise (`postgres.margin`).
    public static let defaultMargin: Duration = .milliseconds(150)
    /// How long a detail request without a deadline may wait unless configured otherwise
    /// (`postgres.detail-timeout`).
    public static let defaultDetailTimeout: Duration = .seconds(5)
    private let invalid = Mutex(0)

    /// Checks every expression of the mapping against the live schema (naming the field whose SQL fails)
    /// and learns their types. A query is given up `margin` before the zoekvraag's deadline, a detail
    /// request that came without a deadline after `detailTimeout`.
    public init(
        client: PostgresClient, mapping: BronMapping, table: PC4Table, margin: Duration = defaultMargin,
        detailTimeout: Duration = defaultDetailTimeout, logger: Logger = Logger(label: "vum.adapter.postgres")
    ) async throws {
        self.client = client
        deadline = RequestDeadline(margin: margin, withoutDeadline: detailTimeout)
        self.mapping = mapping
        evaluator = Evaluator(table: table)
        self.logger = logger
        var types: [Gegevensset: ExpressionTypes] = [:]
        for g in mapping.gegevenssets {
            types[g] = try await Self.resolveTypes(mapping.records(g)!, client: client, logger: logger)
        }
        self.types = types
    }

    /// Records that did not translate to valid records of the standard since the source opened.
    public var invalidRecords: Int { invalid.withLock { $0 } }

    public var gegevenssets: Set<Gegevensset> { mapping.gegevenssets }

    public var ondersteundeCriteria: [String] {
        var keys: [String] = []
        for g in Gegevensset.allCases { for k in ondersteundeCriteria(g) where !keys.contains(k) { keys.append(k) } }
        return keys
    }

    public func ondersteundeCriteria(_ g: Gegevensset) -> [String] {
        guard let m = mapping.records(g) else { return [] }
        return SupportedCriteria.keys(for: [g]).filter { MappedCriteria.isMapped($0, in: m) }
    }

    public func zoek(_ q: Evaluator.PreparedQuestion, limit: Int, context: Verzoekcontext) async throws -> Zoekresultaat
    {
        guard let m = mapping.records(q.vraag.gegevensset), let types = types[q.vraag.gegevensset] else {
            return Zoekresultaat(matches: [], maximumAantalResultatenBereikt: false)
        }
        let areas = evaluator.areas(q)
        guard !areas.isEmpty, limit >= 0 else {
            return Zoekresultaat(matches: [], maximumAantalResultatenBereikt: false)
        }
        let query = MappedQuery.search(m, types, criteria: q.vraag.criteria, areas: areas.map(\.pc4))
        return try await deadline.run(context, "the bron's database") {
            try await self.search(query, m, q, areas.map(\.distance), limit)
        }
    }

    private func search(
        _ query: MappedQuery, _ m: RecordMapping, _ q: Evaluator.PreparedQuestion, _ distances: [Double],
        _ limit: Int
    ) async throws -> Zoekresultaat {
        var found: [(distance: Double, order: Int, json: JSONValue)] = []
        var lastRang: Int64 = 0
        var ordered = true
        do {
            let rows = try await client.query(PostgresQuery(unsafeSQL: query.sql, binds: query.binds), logger: logger)
            for try await row in rows {
                let record = try MappedRecord(row, m)
                if record.rang != lastRang {
                    if record.rang < lastRang { ordered = false }
                    if ordered, found.count > limit, let farthest = found.last?.distance,
                        distances[Int(record.rang) - 1] > farthest
                    {
                        break
                    }
                    lastRang = record.rang
                }
                guard let (profiel, json) = matchingProfiel(record, m.gegevensset) else { continue }
                if let distance = evaluator.match(profiel, q) { found.append((distance, found.count, json)) }
            }
        } catch let error as PSQLError {
            throw Fout.internalError("the bron's database failed", details: PostgresServer.describe(error))
        }
        let more = found.count > limit
        if more {
            found.sort { ($0.distance, $0.order) < ($1.distance, $1.order) }
            found.removeLast(found.count - limit)
        }
        return Zoekresultaat(matches: found.map(\.json), maximumAantalResultatenBereikt: more)
    }

    public func detail(_ id: RecordID, gegevensset: Gegevensset, context: Verzoekcontext) async throws -> DetailRecord?
    {
        guard let m = mapping.records(gegevensset), let types = types[gegevensset],
            let query = MappedQuery.detail(m, types, id: id)
        else { return nil }
        let record: MappedRecord? = try await deadline.run(context, "the bron's database") { [client, logger] in
            do {
                let rows = try await client.query(
                    PostgresQuery(unsafeSQL: query.sql, binds: query.binds), logger: logger)
                var first: MappedRecord?
                for try await row in rows where first == nil { first = try MappedRecord(row, m) }
                return first
            } catch let error as PSQLError {
                throw Fout.internalError("the bron's database failed", details: PostgresServer.describe(error))
            }
        }
        guard let record else { return nil }
        do {
            switch gegevensset {
            case .werkzoekenden: return .werkzoekende(try Werkzoekende(json: record.json))
            case .vacatures: return .vacature(try Vacature(json: record.json))
            }
        } catch {
            report(record, error)
            throw Fout.internalError(
                "the record does not translate to a valid \(gegevensset == .werkzoekenden ? "werkzoekende" : "vacature")",
                details: "\(record.id): \(error.issues.prefix(3).map(\.description).joined(separator: "; "))")
        }
    }

    /// The matching profile of a row, or `nil` (reported) when the row is not a valid record.
    private func matchingProfiel(_ record: MappedRecord, _ g: Gegevensset) -> (any Matchable, JSONValue)? {
        do {
            switch g {
            case .werkzoekenden:
                let p = try Werkzoekende(json: record.json).matchingProfiel
                return (p, p.json)
            case .vacatures:
                let p = try Vacature(json: record.json).matchingProfiel
                return (p, p.json)
            }
        } catch {
            report(record, error)
            return nil
        }
    }

    private func report(_ record: MappedRecord, _ error: ValidationError) {
        invalid.withLock { $0 += 1 }
        logger.warning(
            "record left out: it does not translate to a valid record of the standard",
            metadata: [
                "vum.record_id": "\(record.id)",
                "vum.issues": "\(error.issues.prefix(5).map(\.description).joined(separator: "; "))",
            ])
    }

    static func resolveTypes(_ m: RecordMapping, client: PostgresClient, logger: Logger) async throws -> ExpressionTypes
    {
        var byField: [String: String] = [:]
        let scalars = try await MappingSchema.types(
            table: m.table, m.fields.map { ($0.place, $0.expression) },
            client: client, logger: logger)
        for (f, t) in zip(m.fields, scalars) { byField[f.name] = t }
        for a in m.arrays {
            let elements = try await MappingSchema.types(
                table: a.table, [("\(a.name) key", a.key)] + a.fields.map { ($0.place, $0.expression) },
                client: client, logger: logger)
            for (f, t) in zip(a.fields, elements.dropFirst()) { byField["\(a.name)/\(f.name)"] = t }
        }
        return ExpressionTypes(byField: byField)
    }
}

/// Which mapped field a selectievraag key needs (DOMAIN.md section 3): a key whose field is not mapped
/// is not applied and is reported back as `genegeerdeCriteria`.
enum MappedCriteria {
    static func isMapped(_ key: String, in m: RecordMapping) -> Bool {
        switch key {
        case "bemiddelingsberoep": m.array("bemiddelingsberoep")?.field("codeBeroepsnaam") != nil
        case "contractvorm": m.array("contractvorm") != nil
        case "arbeidsmarktkwalificatie.rijbewijs", "rijbewijs": m.array(key)?.field("codeSoortRijbewijs") != nil
        case "arbeidsmarktkwalificatie.taalbeheersing", "taalbeheersing": m.array(key)?.field("codeTaal") != nil
        case "datumAanvangBeschikbaarVoorWerk": m.field("flexibiliteit.datumAanvangBeschikbaarVoorWerk") != nil
        case "datumAanvangWerkzaamheden": m.field("arbeidsVoorwaarden.datumAanvangWerkzaamheden") != nil
        default: m.field(key) != nil
        }
    }
}

/// Questions to the live schema about a mapping.
enum MappingSchema {
    /// The SQL types of `expressions` over `table`; when the combined query fails, each expression is tried
    /// on its own, so the error names the field (its place in the mapping file) and quotes PostgreSQL.
    static func types(
        table: String, _ expressions: [(place: String, sql: String)], client: PostgresClient,
        logger: Logger
    ) async throws -> [String] {
        do {
            return try await row(MappedQuery.types(table: table, expressions.map(\.sql)), client, logger)
        } catch let error as PSQLError {
            if let state = error.serverInfo?[.sqlState], state == "42P01" {
                throw MappingError(
                    "table \(table) does not exist (or the adapter's database user cannot see it): "
                        + PostgresServer.describe(error))
            }
            for e in expressions {
                do { _ = try await row(MappedQuery.types(table: table, [e.sql]), client, logger) } catch let inner
                    as PSQLError
                {
                    throw MappingError(
                        "\(e.place): \"\(e.sql)\" does not work on \(table): \(PostgresServer.describe(inner))")
                }
            }
            throw MappingError("the mapping's expressions on \(table) fail together: \(PostgresServer.describe(error))")
        }
    }

    private static func row(_ sql: String, _ client: PostgresClient, _ logger: Logger) async throws -> [String] {
        var result: [String] = []
        for try await row in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
            result = try row.makeRandomAccess().map { try $0.decode(String.self) }
        }
        return result
    }
}
