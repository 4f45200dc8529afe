import Foundation
import Testing
import VUMTesting

@testable import VUMStandaard

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

@Suite("Synthetic data")
struct SyntheticDataTests {
    let data = SyntheticData(seed: 42, table: pc4Table)

    @Test("generated records are valid by construction and survive decode → encode → decode")
    func validRoundTrip() throws {
        for i in 0..<2000 {
            let w = data.werkzoekende(i)
            let decoded = try Werkzoekende(json: JSONValue.parse(w.json.serialized()))
            #expect(decoded == w)
            #expect(try WerkzoekendeMatchingProfiel(json: w.matchingProfiel.json) == w.matchingProfiel)
            let v = data.vacature(i)
            #expect(try Vacature(json: JSONValue.parse(v.json.serialized())) == v)
            #expect(try VacatureMatchingProfiel(json: v.matchingProfiel.json) == v.matchingProfiel)
        }
    }

    @Test("the same seed gives the same records; another seed gives others")
    func deterministic() {
        let again = SyntheticData(seed: 42, table: pc4Table)
        let other = SyntheticData(seed: 43, table: pc4Table)
        #expect((0..<50).allSatisfy { data.werkzoekende($0) == again.werkzoekende($0) })
        #expect((0..<50).allSatisfy { data.vacature($0) == again.vacature($0) })
        #expect(
            (0..<50).filter {
                data.werkzoekende($0).matchingProfiel.mobiliteit == other.werkzoekende($0).matchingProfiel.mobiliteit
            }.count < 5)
    }

    @Test("records look like real ones: real PC4 areas, some fields left empty, a spread of occupations")
    func realistic() {
        let people = (0..<1000).map { data.werkzoekende($0).matchingProfiel }
        #expect(people.allSatisfy { pc4Table.centroid($0.mobiliteit.bemiddelingspostcode) != nil })
        let withHours = people.filter { $0.werktijden != nil }.count
        #expect(withHours > 600 && withHours < 950)
        #expect(Set(people.flatMap { $0.bemiddelingsberoep.map(\.codeBeroepsnaam) }).count > 30)
        #expect(people.contains { $0.bemiddelingsberoep.isEmpty })
    }
}

@Suite("Completeness")
struct CompletenessTests {
    @Test("an empty profile scores low and lists every searchable field as missing; a full one scores 1")
    func scores() throws {
        let bare = try werkzoekende()
        #expect(bare.completeness.score == 0)
        #expect(bare.completeness.missingSearchableFields.count == 9)
        let full = try Werkzoekende(json: JSONValue.parse(fullWerkzoekende))
        #expect(full.completeness.missingSearchableFields.isEmpty)
        #expect(full.completeness.score > 0.95)
    }

    @Test("searchable fields weigh more than others")
    func weighting() throws {
        let searchable = try werkzoekende(#""werktijden":{"aantalWerkurenPerWeekMaximaal":40}"#)
        let other = try werkzoekende(#""sector":[{"codeSbi":4711}]"#)
        #expect(searchable.completeness.score == 3 * other.completeness.score)
        #expect(!searchable.completeness.missingSearchableFields.contains("werktijden.aantalWerkurenPerWeekMaximaal"))
    }
}

@Suite("JSON Schemas in Docs/schemas", .timeLimit(.minutes(2)))
struct SchemaTests {
    func validate(_ schema: String, _ documents: [JSONValue]) async throws -> ChildProcess.Result {
        try await SchemaValidation.validate(
            schema: schema, documents: documents.map { $0.serialized() },
            repository: repositoryRoot)
    }

    @Test("Docs/schemas and the OpenAPI document's selectievraag schemas are what scripts/schemas.py writes")
    func schemasUpToDate() async throws {
        let result = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", repositoryRoot.appendingPathComponent("scripts/schemas.py").path, "--check",
            ])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("the Swift encoding of generated records validates against the schemas (a real validator)")
    func generatedRecordsValidate() async throws {
        let data = SyntheticData(seed: 7, table: pc4Table)
        let people = (0..<400).map(data.werkzoekende) + [try Werkzoekende(json: JSONValue.parse(fullWerkzoekende))]
        let jobs = (0..<400).map(data.vacature) + [try Vacature(json: JSONValue.parse(fullVacature))]
        for (schema, docs) in [
            ("werkzoekende", people.map(\.json)), ("werkzoekende-matchingprofiel", people.map(\.matchingProfiel.json)),
            ("vacature", jobs.map(\.json)), ("vacature-matchingprofiel", jobs.map(\.matchingProfiel.json)),
        ] {
            let result = try await validate(schema, docs)
            #expect(result.status == 0, "\(schema): \(result.output)")
            #expect(result.output.contains("\(docs.count) valid, 0 invalid"), "\(schema): \(result.output)")
        }
    }

    @Test("the schemas refuse what the Swift types refuse: detail-only fields in a matching profile, bad codes")
    func schemasRefuse() async throws {
        let full = try JSONValue.parse(fullWerkzoekende)
        let badCode = RecordValidationTests.set(
            full, path: "arbeidsmarktkwalificatie.rijbewijs[1].codeSoortRijbewijs", .string("X"))
        #expect(try await validate("werkzoekende-matchingprofiel", [full]).status == 1)
        #expect(try await validate("werkzoekende", [badCode]).status == 1)
        #expect(Werkzoekende.validate(badCode).failureValue != nil)
    }

    @Test("example questions validate against the selectievraag schemas; malformed ones do not")
    func questions() async throws {
        let good = try JSONValue.parse(SelectievraagParsingTests.allWerkzoekendenKeys)
        #expect(try await validate("selectievraag-werkzoekenden", [good]).status == 0)
        let bad = try JSONValue.parse(#"{"selectiegebied":{"postcode":"3511AB","afstand":1000}}"#)
        #expect(try await validate("selectievraag-werkzoekenden", [bad]).status == 1)
        let vacature = try JSONValue.parse(
            #"{"selectiegebied":{"postcode":"3511AB","afstand":5},"codeWerkEnDenkniveauMinimaal":{"$gte":"3","$lt":"7"}}"#
        )
        #expect(try await validate("selectievraag-vacatures", [vacature]).status == 0)
    }
}
