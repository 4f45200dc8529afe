import ArgumentParser
import Foundation
import Testing
import VUMStandaard

@testable import vum

@Suite("vum zoek, detail, meld, bronnen, deploy: argument parsing and the selectievraag the flags make")
struct ExchangeCommandParsingTests {
    func zoek(_ arguments: [String]) throws -> Zoek {
        try #require(try VUM.parseAsRoot(["zoek"] + arguments) as? Zoek)
    }

    @Test("every werkzoekenden flag becomes its criterion of DOMAIN.md section 3")
    func werkzoekendenFlags() throws {
        let z = try zoek([
            "werkzoekenden", "--postcode", "3511 ab", "--afstand", "15", "--beroep", "https://c.nl/b/1", "--beroep",
            "https://c.nl/b/2",
            "--contract", "O", "--rijbewijs", "B", "--rijbewijs", "C1E", "--taal", "nld:3:2", "--taal", "eng",
            "--uren", "24-32", "--kantoortijden", "ja", "--onregelmatig", "nee", "--beschikbaar-per", "2026-12-01",
            "--oin", "00000001002220647000", "--aggregator", "http://x:1", "--format", "ndjson", "--deadline", "3000",
        ])
        #expect(z.gegevensset == .werkzoekenden && z.format == .ndjson && z.deadline == 3000)
        #expect(z.exchange.baseURL == "http://x:1")
        let vraag = try z.criteria.selectievraag(for: .werkzoekenden)
        let expected = try JSONValue.parse(
            """
            {"selectiegebied":{"postcode":"3511AB","afstand":15},
             "bemiddelingsberoep":{"$elemMatch":{"$or":[{"codeBeroepsnaam":{"$eq":"https://c.nl/b/1"}},{"codeBeroepsnaam":{"$eq":"https://c.nl/b/2"}}]}},
             "contractvorm":{"$elemMatch":{"$or":[{"codeTypeArbeidscontract":{"$eq":"O"}}]}},
             "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst":{"$eq":2},
             "arbeidsmarktkwalificatie.rijbewijs":{"$all":[{"$elemMatch":{"codeSoortRijbewijs":{"$eq":"B"}}},{"$elemMatch":{"codeSoortRijbewijs":{"$eq":"C1E"}}}]},
             "arbeidsmarktkwalificatie.taalbeheersing":{"$all":[{"$elemMatch":{"codeTaal":{"$eq":"nld"},"codeNiveauTaalbeheersingMondeling":{"$gte":3},"codeNiveauTaalbeheersingSchriftelijk":{"$gte":2}}},{"$elemMatch":{"codeTaal":{"$eq":"eng"}}}]},
             "datumAanvangBeschikbaarVoorWerk":{"$lte":"2026-12-01"},
             "werktijden.indicatieKantoortijden":{"$eq":1},
             "werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24},
             "werktijden.aantalWerkurenPerWeekMinimaal":{"$lte":32}}
            """)
        #expect(vraag == expected, "\(vraag.serialized())")
        // What the flags make is a question the standard's own parser accepts, with nothing ignored.
        let parsed = try Selectievraag(json: vraag, gegevensset: .werkzoekenden)
        #expect(parsed.genegeerdeCriteria.isEmpty)
    }

    @Test("vacatures: one occupation, the level, the start date; werkzoekenden-only flags are refused")
    func vacaturesFlags() throws {
        let z = try zoek([
            "vacatures", "--postcode", "9712CP", "--beroep", "https://c.nl/b/1", "--niveau", "4", "--beschikbaar-per",
            "2027-01-01",
            "--rijbewijs", "B", "--uren", "32",
        ])
        let vraag = try z.criteria.selectievraag(for: .vacatures)
        #expect(vraag["beroep.codeBeroepsnaam"] == (try JSONValue.parse(#"{"$eq":"https://c.nl/b/1"}"#)))
        #expect(vraag["codeWerkEnDenkniveauMinimaal"] == (try JSONValue.parse(#"{"$gte":"4","$lt":"7"}"#)))
        #expect(vraag["datumAanvangWerkzaamheden"] == (try JSONValue.parse(#"{"$gte":"2027-01-01"}"#)))
        #expect(
            try vraag["rijbewijs"] != nil
                && vraag["werktijden.aantalWerkurenPerWeekMinimaal"] == JSONValue.parse(#"{"$lte":32}"#))
        #expect(try Selectievraag(json: vraag, gegevensset: .vacatures).genegeerdeCriteria.isEmpty)
        let seven = try zoek(["vacatures", "--postcode", "9712CP", "--niveau", "7"]).criteria.selectievraag(
            for: .vacatures)
        #expect(seven["codeWerkEnDenkniveauMinimaal"] == (try JSONValue.parse(#"{"$eq":"7"}"#)))
        #expect(throws: ArgumentParser.ValidationError.self) {
            try zoek(["vacatures", "--postcode", "9712CP", "--contract", "O"]).criteria.selectievraag(for: .vacatures)
        }
        #expect(throws: ArgumentParser.ValidationError.self) {
            try zoek(["werkzoekenden", "--postcode", "9712CP", "--niveau", "3"]).criteria.selectievraag(
                for: .werkzoekenden)
        }
    }

    @Test(
        "a wrong flag value is a message, not a request",
        arguments: [
            ["--postcode", "9711"], ["--postcode", "3511AB", "--uren", "32-24"],
            ["--postcode", "3511AB", "--taal", "nl"],
            ["--postcode", "3511AB", "--taal", "nld:5"], ["--postcode", "3511AB", "--rijbewijs", "Z"],
            ["--postcode", "3511AB", "--kantoortijden", "soms"],
            ["--postcode", "3511AB", "--beschikbaar-per", "morgen"],
            ["--postcode", "3511AB", "--afstand", "1000"], ["--postcode", "3511AB", "--contract", "X"],
            ["--postcode", "3511AB", "--beroep", "schilder"],
        ])
    func wrongValues(arguments: [String]) throws {
        let z = try zoek(["werkzoekenden"] + arguments)
        #expect(throws: ArgumentParser.ValidationError.self) { try z.criteria.selectievraag(for: .werkzoekenden) }
    }

    @Test("zoek needs a postcode or --vraag; --vraag reads the file")
    func vraagFile() throws {
        #expect(throws: (any Error).self) { try VUM.parseAsRoot(["zoek", "werkzoekenden"]) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vraag-\(UUID().uuidString).json")
        try #"{"selectiegebied":{"postcode":"3511AB","afstand":5}}"#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let vraag = try zoek(["werkzoekenden", "--vraag", file.path]).criteria.selectievraag(for: .werkzoekenden)
        #expect(vraag["selectiegebied"]?["afstand"] == .number(.integer(5)))
    }

    @Test("detail, meld and bronnen take their arguments; meld checks its reason")
    func detailMeldBronnen() throws {
        let d = try #require(
            try VUM.parseAsRoot([
                "detail", "v.1.x", "--gegevensset", "vacatures", "--format", "table", "--oin", "00000001002220647000",
            ]) as? Detail)
        #expect(d.vumID == "v.1.x" && d.gegevensset == .vacatures && d.format == .table)
        let m = try #require(
            try VUM.parseAsRoot(["meld", "v.1.x", "--reden", "contact-onbereikbaar", "--toelichting", "geen gehoor"])
                as? Meld)
        #expect(m.reden == "contact-onbereikbaar" && m.toelichting == "geen gehoor")
        #expect(throws: (any Error).self) { try VUM.parseAsRoot(["meld", "v.1.x", "--reden", "slecht"]) }
        let b = try #require(try VUM.parseAsRoot(["bronnen", "--json", "--aggregator", "http://a:2"]) as? Bronnen)
        #expect(b.json && b.exchange.baseURL == "http://a:2")
        let g = try #require(
            try VUM.parseAsRoot([
                "deploy", "definitions", "--federatie", "f.yaml", "--output", "o", "--development-passwords",
            ]) as? Definitions)
        #expect(g.federatie == "f.yaml" && g.output == "o" && g.developmentPasswords)
    }

    @Test("an OIN that is not 20 digits is refused before anything is sent")
    func oin() throws {
        let z = try zoek(["werkzoekenden", "--postcode", "3511AB", "--oin", "123"])
        #expect(throws: ArgumentParser.ValidationError.self) { try z.exchange.party() }
    }

    @Test(
        "the help of the main commands names their examples and exit codes",
        arguments: [
            ("zoek", "Exit codes: 0 an answer"), ("detail", "Exit codes: 0 the record"),
            ("meld", "Reasons: onjuist, verouderd"),
            ("bronnen", "Exit codes: 0 listed"), ("deploy definitions", "Exit codes: 0 written"),
        ])
    func help(command: String, text: String) throws {
        let type: any ParsableCommand.Type =
            switch command {
            case "zoek": Zoek.self
            case "detail": Detail.self
            case "meld": Meld.self
            case "bronnen": Bronnen.self
            default: Definitions.self
            }
        let message = VUM.fullMessage(for: CleanExit.helpRequest(type)).split(whereSeparator: \.isWhitespace).joined(
            separator: " ")
        #expect(message.contains(text), "\(message.prefix(400))")
        #expect(message.contains("Example"))
    }

    @Test("the status of each bron reads as a line: count, time, its limit, ignored criteria, a fout's code")
    func statusLines() throws {
        let answer = try JSONValue.parse(
            #"""
            {"vumBronnen": [
              {"bronID": "gemeente", "status": "beantwoord", "aantal": 100, "duurMs": 6,
               "maximumAantalResultatenBereikt": true, "genegeerdeCriteria": ["leeftijd"]},
              {"bronID": "uwv", "status": "geen_resultaten", "aantal": 0, "duurMs": 3},
              {"bronID": "regio", "status": "fout", "fout": {"code": "500.1", "message": "store failed"}},
              {"bronID": "stil", "status": "te_laat"}]}
            """#)
        let lines = Zoek.statusLines(answer).split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        #expect(
            lines == [
                "gemeente beantwoord 100 matches in 6 ms (its limit; it has more); ignored: leeftijd",
                "uwv geen_resultaten 0 matches in 3 ms", "regio fout 500.1 store failed", "stil te_laat",
            ], "\(lines)")
    }
}
