import Foundation
import Testing

@testable import VUMStandaard

let fullWerkzoekende = """
    {"idWerkzoekende":"wz-1","indicatieBeschikbaarheidContactgegevens":1,
     "mobiliteit":{"bemiddelingspostcode":"3511AB","maximaleReisafstand":25,"maximaleReistijd":45},
     "bemiddelingsberoep":[{"codeBeroepsnaam":"https://linkeddata.competentnl.nl/id/occupation/1234"}],
     "sector":[{"codeSbi":4711}],
     "flexibiliteit":{"datumAanvangBeschikbaarVoorWerk":"2026-01-01","datumEindeBeschikbaarVoorWerk":"2026-12-31","indicatieOnregelmatigWerkOfPloegendienst":2},
     "werktijden":{"aantalWerkurenPerWeekMinimaal":24,"aantalWerkurenPerWeekMaximaal":32,"indicatieKantoortijden":1},
     "contractvorm":[{"codeTypeArbeidscontract":"O","codeTypeOvereenkomst":"01"}],
     "vervoermiddel":[{"codeVervoermiddel":3,"indicatieBeschikbaarVoorUitvoeringWerk":2,"indicatieBeschikbaarVoorWoonWerkverkeer":1}],
     "arbeidsmarktkwalificatie":{"codeWerkEnDenkniveauWerkzoekende":4,
       "competentiebeheersing":[{"codeCompetentie":"https://linkeddata.competentnl.nl/id/skill/42"}],
       "taalbeheersing":[{"codeTaal":"nld","codeNiveauTaalbeheersingMondeling":4,"codeNiveauTaalbeheersingSchriftelijk":3,"codeNiveauTaalbeheersingLezen":4,"codeNiveauTaalbeheersingLuisteren":4}],
       "rijbewijs":[{"codeSoortRijbewijs":"B"},{"codeSoortRijbewijs":"B+"}],
       "opleiding":[{"codeOpleidingsnaam":"25180","codeNiveauOpleiding":4,"codeStatusOpleiding":1,"indicatieDiploma":1,"datumAanvangVolgenOpleiding":"2015-09-01","datumEindeVolgenOpleiding":"2018-07-01","datumDiploma":"2018-07-01","naamOpleidingsinstituut":"ROC Midden Nederland","toelichtingOpleiding":"Logistiek"}],
       "cursus":[{"naamCursus":"VCA","indicatieCertificaat":1,"datumCertificaat":"2020-03-01","datumAanvangVolgenCursus":"2020-02-01","datumEindeVolgenCursus":"2020-02-28","naamOpleidingsinstituut":"SOS","toelichtingCursus":"basis"}],
       "werkervaring":[{"beroep":{"codeBeroepsnaam":"https://linkeddata.competentnl.nl/id/occupation/99"},"naamOrganisatie":"Magazijn BV","datumAanvangWerkzaamheden":"2018-08-01","datumEindeWerkzaamheden":"2022-01-31","toelichtingWerkervaring":"orderpicker"}],
       "interesse":[{"naamInteresse":"techniek"}]},
     "emailadres":["iemand@example.nl"],"telefoonnummer":["0612345678"],
     "webadres":[{"url":"https://example.nl/cv","codeWebadres":2}],
     "contactpersoon":[{"naamContactpersoonAfdeling":"Team Werk","telefoonnummer":"0301234567","emailadres":"werk@gemeente.nl"}],
     "persoonlijkePresentatie":"Gemotiveerd.","eisAanWerk":{"indicatieAanpassingWerkomgeving":2,"indicatieBegeleiding":1,"indicatieWerkvariatie":0},
     "indicatieLdrRegistratie":2}
    """

let fullVacature = """
    {"idVacature":"vac-7","naamVacature":"Orderpicker","omschrijvingVacature":"Magazijnwerk","sluitingsdatumVacature":"2026-12-01",
     "codeWerkEnDenkniveauMinimaal":"3","adres":{"postcode":"3511AB","straatnaam":"Stationsplein","huisnummer":12,"huisnummertoevoeging":"a"},
     "werkgever":{"handelsnaamOrganisatie":"Magazijn BV","sector":[{"codeSbi":5210}],"webadres":[{"url":"https://magazijn.example","codeWebadres":3}],
       "contactpersoon":[{"naamContactpersoonAfdeling":"HR","emailadres":"hr@magazijn.example"}]},
     "sector":{"codeSbi":5210},"beroep":{"codeBeroepsnaam":"https://linkeddata.competentnl.nl/id/occupation/99"},
     "arbeidsVoorwaarden":{"datumAanvangWerkzaamheden":"2027-01-01","omschrijvingArbeidsvoorwaarden":"cao","salarisIndicatie":"2400-2800"},
     "sollicitatiewijze":[{"codeSollicitatiewijze":"3"}],"werkervaring":[{"aantalJarenWerkzaamInBeroep":1}],
     "werktijden":{"aantalWerkurenPerWeekMinimaal":32,"aantalWerkurenPerWeekMaximaal":40},
     "flexibiliteit":{"indicatieOnregelmatigWerkOfPloegendienst":1},
     "rijbewijs":[{"codeSoortRijbewijs":"B"}],"taalbeheersing":[{"codeTaal":"nld","codeNiveauTaalbeheersingMondeling":2}],
     "nummerVacature":"V-2026-001"}
    """

func parse(_ s: String) throws -> JSONValue { try JSONValue.parse(s) }

@Suite("Records: round trips")
struct RecordRoundTripTests {
    @Test("a full werkzoekende decodes, encodes to the same JSON, and decodes to the same value")
    func werkzoekendeRoundTrip() throws {
        let json = try parse(fullWerkzoekende)
        let w = try Werkzoekende(json: json)
        #expect(w.json == json)
        #expect(try Werkzoekende(json: w.json) == w)
        #expect(w.matchingProfiel.mobiliteit.bemiddelingspostcode.pc4 == 3511)
        #expect(w.emailadres == ["iemand@example.nl"])
    }

    @Test("a full vacature decodes and encodes to the same JSON, employer contact persons included")
    func vacatureRoundTrip() throws {
        let json = try parse(fullVacature)
        let v = try Vacature(json: json)
        #expect(v.json == json)
        #expect(v.werkgeverContactpersoon.count == 1)
        #expect(v.matchingProfiel.codeWerkEnDenkniveauMinimaal == .n3)
    }

    @Test("the matching profile of a detail carries none of the detail-only fields")
    func matchingProfileOfDetail() throws {
        let w = try Werkzoekende(json: parse(fullWerkzoekende))
        let text = w.matchingProfiel.json.serialized()
        for field in [
            "emailadres", "telefoonnummer", "webadres", "contactpersoon", "persoonlijkePresentatie",
            "eisAanWerk", "indicatieLdrRegistratie",
        ] {
            #expect(!text.contains("\"\(field)\""), "\(field) leaked")
        }
        #expect(try WerkzoekendeMatchingProfiel(json: w.matchingProfiel.json) == w.matchingProfiel)
        let v = try Vacature(json: parse(fullVacature))
        let vtext = v.matchingProfiel.json.serialized()
        #expect(!vtext.contains("nummerVacature") && !vtext.contains("contactpersoon") && !vtext.contains("hr@"))
    }

    @Test("empty values are accepted as absent and never encoded")
    func emptyValues() throws {
        let json = try parse(
            """
            {"idWerkzoekende":"x","mobiliteit":{"bemiddelingspostcode":"1234ab","maximaleReistijd":null},
             "sector":[],"werktijden":{},"persoonlijkePresentatie":"","emailadres":[],"contractvorm":[{}]}
            """)
        let w = try Werkzoekende(json: json)
        #expect(w.json.serialized() == #"{"idWerkzoekende":"x","mobiliteit":{"bemiddelingspostcode":"1234AB"}}"#)
    }

    @Test("Codable goes through the same validation")
    func codable() throws {
        let w = try JSONDecoder().decode(Werkzoekende.self, from: Data(fullWerkzoekende.utf8))
        let again = try JSONDecoder().decode(Werkzoekende.self, from: JSONEncoder().encode(w))
        #expect(again == w)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(WerkzoekendeMatchingProfiel.self, from: Data(#"{"idWerkzoekende":"x"}"#.utf8))
        }
    }
}

@Suite("Records: validation")
struct RecordValidationTests {
    /// Sets `value` at a dotted path (with [i] for array elements) in a copy of the full werkzoekende.
    static func werkzoekende(setting path: String, to value: JSONValue) throws -> JSONValue {
        try set(parse(fullWerkzoekende), path: path[...], value)
    }

    static func set(_ json: JSONValue, path: Substring, _ value: JSONValue) -> JSONValue {
        let head = path.prefix { $0 != "." }
        let rest = path.dropFirst(head.count + (head.count < path.count ? 1 : 0))
        var key = head
        var index: Int?
        if let open = head.firstIndex(of: "[") {
            key = head[..<open]
            index = Int(head[head.index(after: open)...].dropLast())
        }
        guard case .object(var o) = json else { return json }
        var child = o[String(key)] ?? .null
        if let index, case .array(var items) = child {
            items[index] = rest.isEmpty ? value : set(items[index], path: rest, value)
            child = .array(items)
        } else {
            child = rest.isEmpty ? value : set(child, path: rest, value)
        }
        o[String(key)] = child
        return .object(o)
    }

    static let invalid: [(String, JSONValue, String)] = [
        (
            "arbeidsmarktkwalificatie.rijbewijs[1].codeSoortRijbewijs", .string("X"),
            #""X" is not a driving licence category (A, A1"#
        ),
        ("indicatieBeschikbaarheidContactgegevens", .number(.integer(0)), "0 is not a ja/nee indicatie (1, 2)"),
        (
            "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst", .number(.integer(3)),
            "3 is not an indicatie (0, 1, 2)"
        ),
        ("werktijden.indicatieKantoortijden", .string("1"), "must be an integer code, not a string"),
        ("contractvorm[0].codeTypeArbeidscontract", .string("X"), "is not a type arbeidscontract (B, O)"),
        ("contractvorm[0].codeTypeOvereenkomst", .string("1"), #""1" is not a type overeenkomst (01, 02, 03, 04)"#),
        ("vervoermiddel[0].codeVervoermiddel", .number(.integer(6)), "6 is not a vervoermiddel"),
        (
            "arbeidsmarktkwalificatie.codeWerkEnDenkniveauWerkzoekende", .number(.integer(8)),
            "8 is not a werk- en denkniveau"
        ),
        (
            "arbeidsmarktkwalificatie.taalbeheersing[0].codeNiveauTaalbeheersingMondeling", .number(.integer(5)),
            "5 is not a level of language command"
        ),
        ("arbeidsmarktkwalificatie.taalbeheersing[0].codeTaal", .string("NL"), "is not an ISO 639-3 language code"),
        (
            "arbeidsmarktkwalificatie.opleiding[0].codeNiveauOpleiding", .number(.integer(7)),
            "7 is not a level of education"
        ),
        (
            "arbeidsmarktkwalificatie.opleiding[0].codeStatusOpleiding", .number(.integer(4)),
            "4 is not a status of education"
        ),
        (
            "arbeidsmarktkwalificatie.opleiding[0].indicatieDiploma", .number(.integer(3)),
            "3 is not an indicatie diploma/certificaat"
        ),
        ("arbeidsmarktkwalificatie.opleiding[0].codeOpleidingsnaam", .string("12AB"), "is not a course code"),
        (
            "arbeidsmarktkwalificatie.opleiding[0].naamOpleidingsinstituut",
            .string(String(repeating: "x", count: 501)), "is 501 characters long; at most 500"
        ),
        ("arbeidsmarktkwalificatie.cursus[0].naamCursus", .string(String(repeating: "x", count: 121)), "at most 120"),
        (
            "arbeidsmarktkwalificatie.werkervaring[0].naamOrganisatie", .string(String(repeating: "x", count: 71)),
            "at most 70"
        ),
        (
            "arbeidsmarktkwalificatie.interesse[0].naamInteresse", .number(.integer(1)),
            "must be a string, not an integer"
        ),
        ("webadres[0].codeWebadres", .number(.integer(5)), "5 is not a kind of web address"),
        ("webadres[0].url", .string(String(repeating: "x", count: 1001)), "at most 1000"),
        ("contactpersoon[0].naamContactpersoonAfdeling", .string(String(repeating: "x", count: 36)), "at most 35"),
        ("contactpersoon[0].emailadres", .string("geen-adres"), "is not an e-mail address"),
        ("persoonlijkePresentatie", .string(String(repeating: "x", count: 2001)), "at most 2000"),
        ("eisAanWerk.indicatieBegeleiding", .number(.integer(9)), "9 is not an indicatie"),
        ("indicatieLdrRegistratie", .number(.integer(0)), "0 is not a ja/nee indicatie"),
        ("mobiliteit.bemiddelingspostcode", .string("1234 AB"), "is not a postcode"),
        ("mobiliteit.maximaleReisafstand", .number(.integer(1000)), "1000 is out of range (0–999)"),
        ("mobiliteit.maximaleReistijd", .number(.double(1.5)), "must be an integer, not a number"),
        ("werktijden.aantalWerkurenPerWeekMaximaal", .number(.integer(100)), "100 is out of range (0–99)"),
        ("sector[0].codeSbi", .number(.integer(100_000)), "100000 is out of range (0–99999)"),
        ("bemiddelingsberoep[0].codeBeroepsnaam", .string("beroep 12"), "is not a URI"),
        ("flexibiliteit.datumAanvangBeschikbaarVoorWerk", .string("2026-02-30"), "is not a calendar date"),
        ("flexibiliteit.datumEindeBeschikbaarVoorWerk", .string("01-01-2026"), "is not a date (YYYY-MM-DD)"),
        ("idWerkzoekende", .string("id met spaties"), "is not a record id"),
        ("telefoonnummer[0]", .string("+31 6 1234 56789"), "at most 14"),
        ("mobiliteit", .string("3511AB"), "must be an object, not a string"),
        ("sector", .object(JSONObject([("codeSbi", .number(.integer(1)))])), "must be an array, not an object"),
    ]

    @Test("each kind of invalid value is rejected at its JSON path with the rule it breaks", arguments: invalid)
    func invalidValue(path: String, value: JSONValue, message: String) throws {
        let json = try Self.werkzoekende(setting: path, to: value)
        let result = Werkzoekende.validate(json)
        guard case .failure(let error) = result else {
            Issue.record("\(path) = \(value) was accepted")
            return
        }
        #expect(error.errors.count == 1, "\(error.errors)")
        #expect(error.errors.first?.path == path)
        #expect(error.errors.first?.message.contains(message) == true, "\(error.errors.first?.message ?? "")")
    }

    @Test("missing required fields are each named")
    func missingRequired() throws {
        let error = try #require(
            Werkzoekende.validate(parse(#"{"mobiliteit":{"maximaleReisafstand":5}}"#)).failureValue)
        #expect(
            error.errors.map(\.description) == [
                "idWerkzoekende: is required", "mobiliteit.bemiddelingspostcode: is required",
            ])
        let v = try #require(Vacature.validate(parse(#"{"idVacature":"v","adres":{"straatnaam":"x"}}"#)).failureValue)
        #expect(v.errors.map(\.path) == ["adres.postcode"])
    }

    @Test("all problems of a record are reported at once, in document order")
    func allProblemsAtOnce() throws {
        var json = try Self.werkzoekende(
            setting: "arbeidsmarktkwalificatie.rijbewijs[1].codeSoortRijbewijs", to: .string("Z"))
        json = Self.set(json, path: "mobiliteit.maximaleReisafstand", .number(.integer(-1)))
        json = Self.set(json, path: "sector[0].codeSbi", .string("4711"))
        let error = try #require(Werkzoekende.validate(json).failureValue)
        #expect(
            error.errors.map(\.path) == [
                "mobiliteit.maximaleReisafstand", "sector[0].codeSbi",
                "arbeidsmarktkwalificatie.rijbewijs[1].codeSoortRijbewijs",
            ])
        #expect(error.description.hasPrefix("3 problems: "))
    }

    @Test("a matching profile carrying detail-only fields is invalid")
    func detailOnlyInMatchingProfile() throws {
        let error = try #require(WerkzoekendeMatchingProfiel.validate(parse(fullWerkzoekende)).failureValue)
        #expect(
            Set(error.errors.map(\.path)) == [
                "emailadres", "telefoonnummer", "webadres", "contactpersoon",
                "persoonlijkePresentatie", "eisAanWerk", "indicatieLdrRegistratie",
            ])
        let v = try #require(VacatureMatchingProfiel.validate(parse(fullVacature)).failureValue)
        #expect(Set(v.errors.map(\.path)) == ["nummerVacature", "werkgever.contactpersoon"])
    }

    @Test("the vacature's werk- en denkniveau is a string code; an integer is refused")
    func vacatureNiveauIsString() throws {
        let json = RecordValidationTests.set(
            try parse(fullVacature), path: "codeWerkEnDenkniveauMinimaal", .number(.integer(3)))
        let error = try #require(Vacature.validate(json).failureValue)
        #expect(error.errors.first?.message.contains("must be a string code") == true)
    }

    @Test("what the contract allows is accepted with warnings: reversed dates, a future diploma, unknown fields")
    func warnings() throws {
        var json = try Self.werkzoekende(
            setting: "arbeidsmarktkwalificatie.opleiding[0].datumDiploma", to: .string("2999-01-01"))
        json = Self.set(json, path: "flexibiliteit.datumEindeBeschikbaarVoorWerk", .string("2025-01-01"))
        json = Self.set(json, path: "werktijden.aantalWerkurenPerWeekMinimaal", .number(.integer(40)))
        json = Self.set(json, path: "nieuwVeld", .string("x"))
        let validated = try Werkzoekende.validate(json).get()
        #expect(
            Set(validated.warnings.map(\.path)) == [
                "arbeidsmarktkwalificatie.opleiding[0].datumDiploma", "flexibiliteit.datumEindeBeschikbaarVoorWerk",
                "werktijden.aantalWerkurenPerWeekMinimaal", "nieuwVeld",
            ])
        #expect(validated.warnings.allSatisfy { $0.severity == .warning })
    }

    @Test("values: postcodes are normalised, OINs are 20 digits, vumIDs follow their pattern")
    func values() throws {
        #expect(try Postcode(validating: "1234ab").rawValue == "1234AB")
        #expect(throws: ValueError.self) { try Postcode(validating: "123AB") }
        #expect(try OIN(validating: "00000001234567890000").rawValue.count == 20)
        #expect(throws: ValueError.self) { try OIN(validating: "1234") }
        #expect(try VumID(validating: "a.b-c_1").rawValue == "a.b-c_1")
        #expect(throws: ValueError.self) { try VumID(validating: "a/b") }
        #expect(throws: ValueError.self) { try VumID(validating: String(repeating: "a", count: 501)) }
        #expect(try VUMDate(validating: "2024-02-29").day == 29)
        #expect(throws: ValueError.self) { try VUMDate(validating: "2023-02-29") }
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}

@Suite("Records: vacature validation")
struct VacatureValidationTests {
    static let invalid: [(String, JSONValue, String)] = [
        ("naamVacature", .string(String(repeating: "x", count: 121)), "at most 120"),
        ("omschrijvingVacature", .string(String(repeating: "x", count: 2001)), "at most 2000"),
        ("nummerVacature", .string("123456789012"), "at most 11"),
        ("sluitingsdatumVacature", .string("2026-13-01"), "is not a calendar date"),
        ("adres.straatnaam", .string(String(repeating: "x", count: 25)), "at most 24"),
        ("adres.huisnummer", .number(.integer(100_000)), "out of range (0–99999)"),
        ("adres.huisnummertoevoeging", .string("abcdefg"), "at most 6"),
        ("werkgever.handelsnaamOrganisatie", .string(String(repeating: "x", count: 501)), "at most 500"),
        ("werkgever.sector[0].codeSbi", .number(.integer(-1)), "out of range"),
        ("sector.codeSbi", .string("5210"), "must be an integer"),
        ("arbeidsVoorwaarden.salarisIndicatie", .string(String(repeating: "x", count: 101)), "at most 100"),
        (
            "arbeidsVoorwaarden.omschrijvingArbeidsvoorwaarden", .string(String(repeating: "x", count: 2001)),
            "at most 2000"
        ),
        ("sollicitatiewijze[0].codeSollicitatiewijze", .string("5"), #""5" is not a way to apply (1, 2, 3, 4)"#),
        ("werkervaring[0].aantalJarenWerkzaamInBeroep", .number(.integer(100)), "out of range (0–99)"),
        ("codeWerkEnDenkniveauMinimaal", .string("8"), "is not a werk- en denkniveau code"),
        ("beroep.codeBeroepsnaam", .string("ftp://x"), "is not a URI"),
        ("rijbewijs[0].codeSoortRijbewijs", .string("b"), "is not a driving licence category"),
        (
            "taalbeheersing[0].codeNiveauTaalbeheersingMondeling", .number(.integer(9)),
            "is not a level of language command"
        ),
        ("idVacature", .string(""), "is required"),
    ]

    @Test("each kind of invalid vacature value is rejected at its JSON path", arguments: invalid)
    func invalidValue(path: String, value: JSONValue, message: String) throws {
        let json = RecordValidationTests.set(try parse(fullVacature), path: path[...], value)
        guard case .failure(let error) = Vacature.validate(json) else {
            Issue.record("\(path) = \(value) was accepted")
            return
        }
        #expect(error.errors.count == 1, "\(error.errors)")
        #expect(error.errors.first?.path == path)
        #expect(error.errors.first?.message.contains(message) == true, "\(error.errors.first?.message ?? "")")
    }

    @Test("a vacature's flexibiliteit has no start of availability: reported as an unknown field")
    func flexibiliteitWithoutAanvang() throws {
        let json = RecordValidationTests.set(
            try parse(fullVacature), path: "flexibiliteit.datumAanvangBeschikbaarVoorWerk",
            .string("2026-01-01"))
        let validated = try Vacature.validate(json).get()
        #expect(validated.warnings.map(\.path) == ["flexibiliteit.datumAanvangBeschikbaarVoorWerk"])
    }

    @Test("SBI codes exist only in range")
    func sbi() throws {
        #expect(try SBICode(99_999).rawValue == 99_999)
        #expect(throws: ValueError.self) { try SBICode(100_000) }
    }
}
