import Foundation
import Logging
import PostgresNIO
import Testing
import VUMExchange
import VUMStandaard
import VUMTesting

@testable import VUMAdapter

/// A private PostgreSQL cluster with the worked example's schema loaded, a running client, and the source.
func withLegacyCRM<T>(
    count: Int = 1500, seed: UInt64 = 21,
    _ body: (PrivatePostgres, PostgresClient, LegacyCRM) async throws -> T
) async throws -> T {
    let crm = try await offPool { try LegacyCRM(count: count, seed: seed) }
    return try await PrivatePostgres.with(name: "crm") { cluster in
        try await cluster.psql(try LegacyCRM.schemaSQL + "\n" + crm.sql + "\nANALYZE;")
        let client = PostgresClient(
            configuration: .init(
                host: "127.0.0.1", port: try cluster.port(), username: "vum",
                password: nil, database: "postgres", tls: .disable))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(cluster, client, crm)
        }
    }
}

let pgEvaluator = Evaluator(table: testPC4Table)
let noContext = Verzoekcontext(vraagID: "test")

@Suite("PostgreSQL source", .serialized)
struct PostgresSourceTests {
    @Test(
        "a legacy schema with local codes answers exactly as the evaluator on the same records", .timeLimit(.minutes(5))
    )
    func answersEqualEvaluator() async throws {
        try await withLegacyCRM { _, client, crm in
            let source = try await PostgresSource(client: client, mapping: crm.mapping, table: testPC4Table)
            #expect(Set(source.ondersteundeCriteria) == Set(SupportedCriteria.werkzoekenden))
            let questions = SyntheticQuestions(seed: 21, table: testPC4Table)
            var compared = 0
            var nonEmpty = 0
            var capped = 0
            for i in 0..<150 {
                let json = questions.werkzoekenden(i)
                let q = try pgEvaluator.prepare(Selectievraag(json: json, gegevensset: .werkzoekenden))
                for limit in [5, 100] {
                    let expected = pgEvaluator.select(crm.expected, q, limit: limit)
                    let got = try await source.zoek(q, limit: limit, context: noContext)
                    // The order of a list carries no meaning; which records, and each exactly as the standard reads it, does.
                    #expect(
                        Set(got.matches) == Set(expected.matches.map(\.json)),
                        "question \(i), limit \(limit): \(json.serialized())")
                    #expect(got.matches.count == expected.matches.count, "question \(i), limit \(limit)")
                    #expect(
                        got.maximumAantalResultatenBereikt == expected.maximumAantalResultatenBereikt,
                        "question \(i), limit \(limit)")
                    compared += 1
                    if !expected.matches.isEmpty { nonEmpty += 1 }
                    if expected.maximumAantalResultatenBereikt { capped += 1 }
                }
            }
            #expect(compared == 300)
            #expect(nonEmpty > 60)
            #expect(capped > 20)
            // The edge rows: never the inactive one; the invalid one reported and left out; the others as mapped.
            let ids = Set(try await everything(source).map(\.idWerkzoekende.rawValue))
            #expect(!ids.contains(String(LegacyCRM.inactive)))
            #expect(!ids.contains(String(LegacyCRM.invalid)))
            #expect(ids.isSuperset(of: [String(LegacyCRM.unknownLocalCode), String(LegacyCRM.leftOutLevel), "1003"]))
            #expect(source.invalidRecords >= 1)
        }
    }

    /// Every record within reach of a country-wide question. It reads the whole legacy table, which under the
    /// full suite's load took longer than the 5 s a source allows a question without a deadline; this one
    /// carries its own deadline of a minute (the check is which records come back, not how fast).
    func everything(_ source: PostgresSource) async throws -> [WerkzoekendeMatchingProfiel] {
        let q = try pgEvaluator.prepare(
            Selectievraag(
                json: try JSONValue.parse(#"{"selectiegebied":{"postcode":"3511AB","afstand":999}}"#),
                gegevensset: .werkzoekenden))
        let context = Verzoekcontext(vraagID: "everything", deadlineMs: Envelope.nowMs() + 60_000)
        return try await source.zoek(q, limit: 100_000, context: context).matches.map {
            try WerkzoekendeMatchingProfiel(json: $0)
        }
    }

    @Test("a detail reads the whole mapped record; an unknown or impossible id is nil; an invalid record is 500.1")
    func details() async throws {
        try await withLegacyCRM(count: 50) { _, client, crm in
            let source = try await PostgresSource(client: client, mapping: crm.mapping, table: testPC4Table)
            guard
                case .werkzoekende(let w)? = try await source.detail(
                    try RecordID(validating: "1007"), gegevensset: .werkzoekenden,
                    context: noContext)
            else {
                Issue.record("no detail for 1007")
                return
            }
            #expect(w.matchingProfiel == crm.expected[7])
            #expect(
                try await source.detail(
                    try RecordID(validating: "424242"), gegevensset: .werkzoekenden, context: noContext) == nil)
            #expect(
                try await source.detail(
                    try RecordID(validating: "abc"), gegevensset: .werkzoekenden, context: noContext) == nil)
            #expect(
                try await source.detail(
                    try RecordID(validating: String(LegacyCRM.inactive)), gegevensset: .werkzoekenden,
                    context: noContext) == nil)
            do {
                _ = try await source.detail(
                    try RecordID(validating: String(LegacyCRM.invalid)), gegevensset: .werkzoekenden, context: noContext
                )
                Issue.record("an invalid record was delivered")
            } catch let fout as Fout {
                #expect(fout.code == "500.1")
                #expect(fout.details?.contains("aantalWerkurenPerWeekMaximaal") == true, "\(fout)")
            }
        }
    }

    @Test("a detail request without a deadline waits for a locked table at most the configured detail timeout")
    func detailTimeoutWithoutDeadline() async throws {
        try await withLegacyCRM(count: 20) { cluster, client, crm in
            let source = try await PostgresSource(
                client: client, mapping: crm.mapping, table: testPC4Table, detailTimeout: .seconds(1))
            // Another session holds the table (for up to a minute, far longer than the 5 s default would wait).
            let lock = try await cluster.holdLock(on: "crm.klant")
            let started = ContinuousClock.now
            do {
                _ = try await source.detail(
                    try RecordID(validating: "1007"), gegevensset: .werkzoekenden, context: noContext)
                Issue.record("a detail was read from a locked table after \(ContinuousClock.now - started)")
            } catch let fout as Fout {
                #expect(fout.code == "500.3", "\(fout)")
                #expect(fout.details?.contains("gave up after 1s") == true, "\(fout)")
            }
            // The answer came while the table was still locked: the source did not wait for the lock to go.
            #expect(try await lock.isHeld(), "answered only after \(ContinuousClock.now - started), when the lock went")
            try await lock.release()
        }
    }

    @Test("question values are bound, never SQL: injection attempts find nothing and change nothing")
    func sqlInjection() async throws {
        try await withLegacyCRM(count: 200) { cluster, client, crm in
            let source = try await PostgresSource(client: client, mapping: crm.mapping, table: testPC4Table)
            let attempts = [
                "https://x.nl/'||(SELECT/**/pg_sleep(5))||'",
                "https://x.nl/');DROP/**/TABLE/**/crm.klant;--",
                "https://x.nl/'/**/OR/**/'1'='1",
            ]
            for uri in attempts {
                let json = try JSONValue.parse(
                    #"{"selectiegebied":{"postcode":"3511AB","afstand":999},"#
                        + #""bemiddelingsberoep":{"$elemMatch":{"$or":[{"codeBeroepsnaam":{"$eq":"\#(uri)"}}]}}}"#)
                let q = try pgEvaluator.prepare(Selectievraag(json: json, gegevensset: .werkzoekenden))
                let started = ContinuousClock.now
                let got = try await source.zoek(q, limit: 100, context: noContext)
                #expect(got.matches.isEmpty, "\(uri)")
                #expect(ContinuousClock.now - started < .seconds(4), "\(uri) made the database sleep")
            }
            let count = try await cluster.psql("SELECT count(*) FROM crm.klant;", arguments: ["-t", "-A"])
            #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "204")
        }
    }

    @Test("the mapping check reports per field, the invalid records, the left-out codes and the completeness")
    func mappingCheckReports() async throws {
        try await withLegacyCRM(count: 300) { _, client, crm in
            let report = await MappingCheck.run(crm.mapping, client: client, table: testPC4Table, sample: 10_000)
            #expect(report.isUsable, "\(report)")
            let d = try #require(report.datasets.first)
            #expect(d.sampled == 303)  // 300 generated and 4 edge rows, less the inactive one
            #expect(d.invalid == 1)
            #expect(d.valid == 302)
            #expect(d.issueCounts.keys.contains { $0.contains("werktijden.aantalWerkurenPerWeekMaximaal") })
            let field = { (name: String) in d.fields.first { $0.name == name } }
            #expect(field("flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst")?.fellBack == 1)
            #expect(
                field("arbeidsmarktkwalificatie.codeWerkEnDenkniveauWerkzoekende")?.untranslatedCodes == ["MAVO": 1])
            #expect(field("bemiddelingsberoep[].codeBeroepsnaam")?.empty == 1)  // the occupation not yet classified
            #expect(field("idWerkzoekende")?.translated == 303)
            #expect(field("idWerkzoekende")?.type == "integer")
            #expect((d.meanCompleteness ?? 0) > 0.3)
            #expect(d.ignoredCriteria.isEmpty)
            #expect(!d.plan.isEmpty)
            let text = report.description
            #expect(text.contains("\"MAVO\" ×1"))
            #expect(text.contains("mapping usable"))
        }
    }

    @Test("a mapping that does not fit the live schema is reported with the field and PostgreSQL's words")
    func brokenMappingAgainstSchema() async throws {
        try await withLegacyCRM(count: 20) { _, client, crm in
            let text = try String(contentsOfFile: LegacyCRM.mappingPath, encoding: .utf8)
            let misspelled = try BronMapping(
                yaml: text.replacingOccurrences(
                    of: "werktijden.aantalWerkurenPerWeekMaximaal: uren_max",
                    with: "werktijden.aantalWerkurenPerWeekMaximaal: uren_maxx"))
            let report = await MappingCheck.run(misspelled, client: client, table: testPC4Table)
            #expect(!report.isUsable)
            let error = try #require(report.errors.first)
            #expect(error.contains("werkzoekenden.fields.werktijden.aantalWerkurenPerWeekMaximaal"), "\(error)")
            #expect(error.contains("uren_maxx"), "\(error)")
            #expect(error.contains("does not exist"), "\(error)")
            await #expect(throws: MappingError.self) {
                _ = try await PostgresSource(client: client, mapping: misspelled, table: testPC4Table)
            }

            let noTable = try BronMapping(
                yaml: text.replacingOccurrences(of: "table: crm.klant", with: "table: crm.klanten"))
            let report2 = await MappingCheck.run(noTable, client: client, table: testPC4Table)
            #expect(report2.errors.first?.contains("table crm.klanten does not exist") == true, "\(report2.errors)")

            let badChild = try BronMapping(
                yaml: text.replacingOccurrences(of: "column: categorie", with: "column: soort"))
            let report3 = await MappingCheck.run(badChild, client: client, table: testPC4Table)
            #expect(
                report3.errors.first?.contains("arrays.arbeidsmarktkwalificatie.rijbewijs.fields.codeSoortRijbewijs")
                    == true,
                "\(report3.errors)")
            _ = crm
        }
    }
}

@Suite("Mapping file")
struct BronMappingTests {
    static var example: String { get throws { try String(contentsOfFile: LegacyCRM.mappingPath, encoding: .utf8) } }

    @Test("the worked example reads: fields, codes, defaults, arrays")
    func example() throws {
        let m = try #require(try BronMapping(yaml: Self.example).werkzoekenden)
        #expect(m.table == "crm.klant")
        #expect(m.filter == "status = 'A'")
        #expect(m.id.expression == "klantnummer")
        let ploeg = try #require(m.field("flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst"))
        #expect(ploeg.codes?["J"] == .number(.integer(1)))
        #expect(ploeg.fallback == .number(.integer(0)))
        #expect(ploeg.translate("X") == .fallback(.number(.integer(0))))
        let niveau = try #require(m.field("arbeidsmarktkwalificatie.codeWerkEnDenkniveauWerkzoekende"))
        #expect(niveau.fallback == nil)
        #expect(niveau.translate("MAVO") == .untranslated("MAVO"))
        #expect(niveau.translate(nil) == .absent)
        let overeenkomst = try #require(m.array("contractvorm")?.field("codeTypeOvereenkomst"))
        #expect(overeenkomst.codes?["REGULIER"] == .string("01"))
    }

    @Test(
        "mistakes in the file name the line and the key",
        arguments: [
            (
                "werktijden.aantalWerkurenPerWeekMaximaal: uren_max", "werktijden.urenPerWeek: uren_max",
                "werktijden.urenPerWeek is not a field of the standard's werkzoekenden"
            ),
            (#"codes: { "J": 1, "N": 2, "?": 0 }"#, #"codes: { "J": 5, "N": 2, "?": 0 }"#, "codes.J: 5 is not a valid"),
            (
                "    werktijden.aantalWerkurenPerWeekMinimaal: uren_min",
                "    bemiddelingsberoep.codeBeroepsnaam: beroep",
                "bemiddelingsberoep is an array in the standard"
            ),
            ("    idWerkzoekende: klantnummer\n", "", "idWerkzoekende is required"),
            ("  table: crm.klant", "  table: crm.klant; DROP TABLE x", "is not a table name"),
            (
                "      key: klantnummer\n      fields:\n        codeSoortRijbewijs",
                "      key: klant nummer\n      fields:\n        codeSoortRijbewijs",
                "is not a column name"
            ),
            ("  where:", "  waar:", "unknown key"),
            (#"      default: leave-out"#, #"      default: MAVO"#, "is not a number"),
        ])
    func mistakes(original: String, replacement: String, message: String) throws {
        let text = try Self.example
        #expect(text.contains(original), "the example no longer has \(original)")
        do {
            _ = try BronMapping(yaml: text.replacingOccurrences(of: original, with: replacement), file: "m.yaml")
            Issue.record("accepted: \(replacement)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
            #expect(error.description.hasPrefix("m.yaml line "), "\(error)")
        }
    }

    @Test("a key whose field is not mapped is not applied and is reported as genegeerd")
    func unmappedCriteria() throws {
        let json = try JSONValue.parse(
            #"{"selectiegebied":{"postcode":"3511AB","afstand":5},"werktijden.indicatieKantoortijden":{"$eq":1},"#
                + #""werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24}}"#)
        let vraag = try Selectievraag(json: json, gegevensset: .werkzoekenden)
        let restricted = vraag.restricted(
            to: Set(SupportedCriteria.werkzoekenden).subtracting(["werktijden.indicatieKantoortijden"]))
        #expect(restricted.criteria == [.urenPerWeekMaximaalMinstens(24)])
        #expect(restricted.genegeerdeCriteria == ["werktijden.indicatieKantoortijden"])
        #expect(vraag.restricted(to: Set(SupportedCriteria.werkzoekenden)) == vraag)

        var m = try #require(try BronMapping(yaml: try Self.example).werkzoekenden)
        m.fields.removeAll { $0.name == "werktijden.indicatieKantoortijden" }
        m.arrays.removeAll { $0.name == "contractvorm" }
        #expect(!MappedCriteria.isMapped("werktijden.indicatieKantoortijden", in: m))
        #expect(!MappedCriteria.isMapped("contractvorm", in: m))
        #expect(MappedCriteria.isMapped("datumAanvangBeschikbaarVoorWerk", in: m))
    }
}
