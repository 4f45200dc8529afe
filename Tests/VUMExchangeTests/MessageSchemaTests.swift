import Foundation
import Testing
import VUMStandaard
import VUMTesting

@testable import VUMExchange

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func validate(_ schema: String, _ documents: [JSONValue]) async throws -> ChildProcess.Result {
    try await SchemaValidation.validate(
        schema: schema, documents: documents.map { $0.serialized() }, repository: repositoryRoot)
}

@Suite("Bus messages: JSON Schemas", .timeLimit(.minutes(5)))
struct MessageSchemaTests {
    @Test("the Swift encoding of every message type validates against its schema")
    func everyMessageValidates() async throws {
        let vacature = try VacatureMatchingProfiel(
            json: JSONValue.parse(#"{"idVacature":"v-1","adres":{"postcode":"3511AB"}}"#))
        var event = Procesgebeurtenis(
            eventID: "e-1", soort: .zoekvraagAfgerond, tijdMs: 1_764_000_000_123, component: "vum-aggregator/0.1.0")
        event.vraagID = "v-1"
        event.aantallenPerStatus = ["beantwoord": 2, "te_laat": 1]
        event.gedeeltelijk = true
        event.verwachteBronnen = ["uwv", "gemeente-utrecht"]
        event.statusPerBron = ["uwv": "beantwoord", "gemeente-utrecht": "te_laat"]
        event.antwoordMs = 12
        let cases: [(String, JSONValue)] = [
            (
                "bericht-zoekvraag",
                ZoekvraagBericht(vraagID: "v-1", gegevensset: .werkzoekenden, vraagObject: question).json
            ),
            (
                "bericht-gegevensset",
                GegevenssetBericht(
                    vraagID: "v-1", bronID: bron, gegevensset: .werkzoekenden,
                    matches: [profile.json], maximumAantalResultatenBereikt: false,
                    genegeerdeCriteria: ["leeftijd"], duurMs: 3
                ).json
            ),
            (
                "bericht-gegevensset",
                GegevenssetBericht(
                    vraagID: "v-1", bronID: bron, gegevensset: .vacatures,
                    matches: [vacature.json], maximumAantalResultatenBereikt: true,
                    genegeerdeCriteria: []
                ).json
            ),
            (
                "bericht-gegevensset",
                GegevenssetBericht(
                    vraagID: "v-1", bronID: bron, gegevensset: .vacatures,
                    fout: .internalError("store down")
                ).json
            ),
            (
                "bericht-detailverzoek",
                DetailverzoekBericht(
                    vraagID: "v-1", gegevensset: .werkzoekenden,
                    recordID: try RecordID(validating: "wz-1")
                ).json
            ),
            ("bericht-detail", DetailBericht(bronID: bron, werkzoekende: Werkzoekende(matchingProfiel: profile)).json),
            (
                "bericht-detail",
                DetailBericht(bronID: bron, gegevensset: .vacatures, fout: Fout(code: "404", message: "gone")).json
            ),
            (
                "bericht-aanmelding",
                AanmeldingBericht(
                    bronID: bron, soort: .aanmelding, gegevenssets: [.werkzoekenden],
                    versie: "vum-adapter/0.1.0", ondersteundeCriteria: ["bemiddelingsberoep"],
                    heartbeatIntervalMs: 5000
                ).json
            ),
            ("bericht-procesgebeurtenis", event.json),
            (
                "bericht-datakwaliteit",
                DatakwaliteitBericht(
                    meldingID: "m-1", vraagID: "v-1", gegevensset: .vacatures,
                    recordID: try RecordID(validating: "vac-17"), reden: .verouderd,
                    toelichting: "al vervuld"
                ).json
            ),
            ("bericht-verzoek", VerzoekBericht(zoek: .werkzoekenden, vraagObject: question, deadlineMs: 2000).json),
            ("bericht-verzoek", VerzoekBericht(detail: "abc.1.x-y_z", gegevensset: .vacatures).json),
            (
                "bericht-verzoekantwoord",
                VerzoekantwoordBericht(antwoord: .object(JSONObject([("vraagID", .string("v"))]))).json
            ),
            (
                "bericht-verzoekantwoord",
                VerzoekantwoordBericht(fout: Fout(code: "401", message: "not authorised")).json
            ),
        ]
        for (schema, document) in cases {
            let result = try await validate(schema, [document])
            #expect(result.status == 0, "\(schema): \(result.output)")
        }
    }

    @Test("the schemas refuse a leaking answer, a detail with two records, and profile content in an event")
    func schemasRefuse() async throws {
        var leaking = profile.json
        if case .object(var o) = leaking {
            o["emailadres"] = .array([.string("x@y.nl")])
            leaking = .object(o)
        }
        let answer = GegevenssetBericht(
            vraagID: "v", bronID: bron, gegevensset: .werkzoekenden, matches: [leaking],
            maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])
        #expect(try await validate("bericht-gegevensset", [answer.json]).status == 1)
        var both = DetailBericht(bronID: bron, werkzoekende: Werkzoekende(matchingProfiel: profile))
        both.fout = Fout(code: "404", message: "x")
        #expect(try await validate("bericht-detail", [both.json]).status == 1)
        let event = try JSONValue.parse(
            #"{"eventID":"e","soort":"detail.geleverd","tijdMs":1,"component":"c","uitkomst":"ok","emailadres":"x@y.nl"}"#
        )
        #expect(try await validate("bericht-procesgebeurtenis", [event]).status == 1)
    }
}

@Suite("Docs/aansluitkit.md", .timeLimit(.minutes(5)))
struct AansluitkitTests {
    /// The JSON examples of the page, each with the schema its section heading links to.
    static func examples() throws -> [(schema: String, json: JSONValue)] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Docs/aansluitkit.md"), encoding: .utf8)
        var result: [(String, JSONValue)] = []
        var schema: String?
        var block: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if var current = block {
                if line.hasPrefix("```") {
                    if let schema { result.append((schema, try JSONValue.parse(current.joined(separator: "\n")))) }
                    block = nil
                } else {
                    current.append(line)
                    block = current
                }
            } else if line.hasPrefix("```json") {
                block = []
            } else if line.hasPrefix("### "), let range = line.range(of: "(schemas/") {
                let rest = line[range.upperBound...]
                schema = rest.prefix { $0 != ")" }.replacingOccurrences(of: ".schema.json", with: "")
            }
        }
        return result
    }

    @Test("every JSON example on the page validates against the schema its section links to")
    func examplesValidate() async throws {
        let examples = try Self.examples()
        #expect(examples.count >= 5)
        for (schema, json) in examples {
            let result = try await validate(schema, [json])
            #expect(result.status == 0, "\(schema): \(result.output)")
        }
    }

    @Test("the examples decode with the Swift types too")
    func examplesDecode() throws {
        for (schema, json) in try Self.examples() {
            switch schema {
            case "bericht-zoekvraag": _ = try ZoekvraagBericht(json: json).selectievraag()
            case "bericht-gegevensset":
                let answer = try GegevenssetBericht(json: json)
                #expect(answer.matchingProfielen(as: WerkzoekendeMatchingProfiel.self).invalid.isEmpty)
            case "bericht-detailverzoek": _ = try DetailverzoekBericht(json: json)
            case "bericht-detail": _ = try DetailBericht(json: json).werkzoekendeRecord()
            case "bericht-aanmelding": _ = try AanmeldingBericht(json: json)
            case "bericht-verzoek": _ = try VerzoekBericht(json: json)
            case "bericht-verzoekantwoord": _ = try VerzoekantwoordBericht(json: json)
            case "bericht-datakwaliteit": _ = try DatakwaliteitBericht(json: json)
            default: Issue.record("an example for \(schema) that no test decodes")
            }
        }
    }
}
