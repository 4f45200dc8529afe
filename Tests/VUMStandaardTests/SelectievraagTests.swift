import Foundation
import Testing
import VUMTesting

@testable import VUMStandaard

let pc4TablePath = testPC4TablePath
let pc4Table = testPC4Table

let evaluator = Evaluator(table: pc4Table)

func vraag(_ text: String, _ set: Gegevensset = .werkzoekenden) throws -> Selectievraag {
    try Selectievraag(json: JSONValue.parse(text), gegevensset: set)
}

func werkzoekende(_ extra: String = "", postcode: String = "3511AB") throws -> WerkzoekendeMatchingProfiel {
    try WerkzoekendeMatchingProfiel(
        json: JSONValue.parse(
            #"{"idWerkzoekende":"w","mobiliteit":{"bemiddelingspostcode":"\#(postcode)"}\#(extra.isEmpty ? "" : ",")\#(extra)}"#
        ))
}

func vacature(_ extra: String = "", postcode: String = "3511AB") throws -> VacatureMatchingProfiel {
    try VacatureMatchingProfiel(
        json: JSONValue.parse(
            #"{"idVacature":"v","adres":{"postcode":"\#(postcode)"}\#(extra.isEmpty ? "" : ",")\#(extra)}"#))
}

func matches(_ record: some Matchable, _ q: Selectievraag) throws -> Bool {
    evaluator.matches(record, try evaluator.prepare(q))
}

let gebied = #""selectiegebied":{"postcode":"3511AB","afstand":25}"#

@Suite("Selectievraag: parsing")
struct SelectievraagParsingTests {
    static let allWerkzoekendenKeys = """
        {"selectiegebied":{"postcode":"3511AB","afstand":25},
         "bemiddelingsberoep":{"$elemMatch":{"$or":[{"codeBeroepsnaam":{"$eq":"https://linkeddata.competentnl.nl/id/occupation/1"}},{"codeBeroepsnaam":{"$eq":"https://linkeddata.competentnl.nl/id/occupation/2"}}]}},
         "contractvorm":{"$elemMatch":{"$or":[{"codeTypeArbeidscontract":{"$eq":"O"}}]}},
         "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst":{"$eq":2},
         "arbeidsmarktkwalificatie.rijbewijs":{"$all":[{"$elemMatch":{"codeSoortRijbewijs":{"$eq":"B"}}}]},
         "arbeidsmarktkwalificatie.taalbeheersing":{"$all":[{"$elemMatch":{"codeTaal":{"$eq":"nld"},"codeNiveauTaalbeheersingMondeling":{"$gte":3},"codeNiveauTaalbeheersingSchriftelijk":{"$gte":2}}}]},
         "datumAanvangBeschikbaarVoorWerk":{"$lte":"2026-12-01"},
         "werktijden.indicatieKantoortijden":{"$eq":1},
         "werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24},
         "werktijden.aantalWerkurenPerWeekMinimaal":{"$lte":32}}
        """

    @Test("every searchable werkzoekenden key becomes a typed criterion, and the question encodes back unchanged")
    func allWerkzoekendenKeys() throws {
        let json = try JSONValue.parse(Self.allWerkzoekendenKeys)
        let q = try Selectievraag(json: json, gegevensset: .werkzoekenden)
        #expect(q.genegeerdeCriteria.isEmpty)
        #expect(q.selectiegebied == Selectiegebied(postcode: try Postcode(validating: "3511AB"), afstand: 25))
        #expect(
            q.criteria == [
                .bemiddelingsberoep([
                    try CompetentNLURI(validating: "https://linkeddata.competentnl.nl/id/occupation/1"),
                    try CompetentNLURI(validating: "https://linkeddata.competentnl.nl/id/occupation/2"),
                ]),
                .contractvorm([ContractvormEis(codeTypeArbeidscontract: .onbepaaldeTijd)]),
                .onregelmatigWerk(.nee),
                .rijbewijzen([.b]),
                .talen([
                    Taaleis(codeTaal: try TaalCode(validating: "nld"), minimaalMondeling: 3, minimaalSchriftelijk: 2)
                ]),
                .beschikbaarUiterlijk(try VUMDate(validating: "2026-12-01")),
                .kantoortijden(.ja),
                .urenPerWeekMaximaalMinstens(24),
                .urenPerWeekMinimaalHoogstens(32),
            ])
        #expect(q.json.serialized() == json.serialized())
        #expect(
            q.json.serialized().hasPrefix(#"{"selectiegebied":{"postcode":"3511AB","afstand":25},"bemiddelingsberoep""#)
        )
    }

    @Test("every searchable vacatures key becomes a typed criterion")
    func allVacaturesKeys() throws {
        let q = try vraag(
            """
            {\(gebied),"beroep.codeBeroepsnaam":{"$eq":"https://linkeddata.competentnl.nl/id/occupation/9"},
             "codeWerkEnDenkniveauMinimaal":{"$gte":"3","$lt":"7"},"datumAanvangWerkzaamheden":{"$gte":"2026-01-01"},
             "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst":{"$eq":1},
             "rijbewijs":{"$all":[{"$elemMatch":{"codeSoortRijbewijs":{"$eq":"C"}}}]},
             "taalbeheersing":{"$all":[{"$elemMatch":{"codeTaal":{"$eq":"eng"}}}]},
             "werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":1},"werktijden.aantalWerkurenPerWeekMinimaal":{"$lte":99}}
            """, .vacatures)
        #expect(q.genegeerdeCriteria.isEmpty)
        #expect(q.criteria.count == 8)
        #expect(q.criteria.contains(.werkEnDenkniveauVanaf(.n3)))
        #expect(
            try vraag(#"{\#(gebied),"codeWerkEnDenkniveauMinimaal":{"$eq":"7"}}"#, .vacatures).criteria == [
                .werkEnDenkniveauGelijk(.n7)
            ])
    }

    @Test("unknown keys and unknown operators are not applied but reported as genegeerdeCriteria")
    func ignoredCriteria() throws {
        let q = try vraag(
            """
            {\(gebied),"leeftijd":{"$gte":18},"werktijden.indicatieKantoortijden":{"$ne":2},
             "werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24},"beroep.codeBeroepsnaam":{"$eq":"https://x.nl/1"},
             "bemiddelingsberoep":{"$in":["https://x.nl/1"]}}
            """)
        #expect(
            q.genegeerdeCriteria == [
                "leeftijd", "werktijden.indicatieKantoortijden", "beroep.codeBeroepsnaam",
                "bemiddelingsberoep",
            ])
        #expect(q.criteria == [.urenPerWeekMaximaalMinstens(24)])
    }

    static let malformed: [(String, String, String)] = [
        (#"{"werktijden.indicatieKantoortijden":{"$eq":1}}"#, "selectiegebied", "is required"),
        (#"{"selectiegebied":{"postcode":"3511AB"}}"#, "selectiegebied.afstand", "is required"),
        (#"{"selectiegebied":{"postcode":"3511AB","afstand":1000}}"#, "selectiegebied.afstand", "out of range"),
        (#"{"selectiegebied":{"postcode":"3511","afstand":10}}"#, "selectiegebied.postcode", "is not a postcode"),
        (#"{"selectiegebied":{"postcode":"3511AB","afstand":"10"}}"#, "selectiegebied.afstand", "must be an integer"),
        (#"{"selectiegebied":"3511AB"}"#, "selectiegebied", "must be an object"),
        (
            #"{\#(gebied),"werktijden.indicatieKantoortijden":{"$eq":"1"}}"#, "werktijden.indicatieKantoortijden.$eq",
            "must be an integer"
        ),
        (
            #"{\#(gebied),"werktijden.indicatieKantoortijden":{"$eq":0}}"#, "werktijden.indicatieKantoortijden.$eq",
            "out of range (1–2)"
        ),
        (
            #"{\#(gebied),"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":0}}"#,
            "werktijden.aantalWerkurenPerWeekMaximaal.$gte", "out of range (1–99)"
        ),
        (
            #"{\#(gebied),"werktijden.aantalWerkurenPerWeekMinimaal":{"$lte":100}}"#,
            "werktijden.aantalWerkurenPerWeekMinimaal.$lte", "out of range"
        ),
        (
            #"{\#(gebied),"werktijden.aantalWerkurenPerWeekMinimaal":32}"#, "werktijden.aantalWerkurenPerWeekMinimaal",
            "operator object"
        ),
        (
            #"{\#(gebied),"werktijden.aantalWerkurenPerWeekMinimaal":{"lte":32}}"#,
            "werktijden.aantalWerkurenPerWeekMinimaal", "is not an operator"
        ),
        (
            #"{\#(gebied),"datumAanvangBeschikbaarVoorWerk":{"$lte":"1-12-2026"}}"#,
            "datumAanvangBeschikbaarVoorWerk.$lte", "is not a date"
        ),
        (
            #"{\#(gebied),"arbeidsmarktkwalificatie.rijbewijs":{"$all":[{"$elemMatch":{"codeSoortRijbewijs":{"$eq":"Q"}}}]}}"#,
            "arbeidsmarktkwalificatie.rijbewijs.$all[0].$elemMatch.codeSoortRijbewijs.$eq",
            "is not a driving licence category"
        ),
        (
            #"{\#(gebied),"arbeidsmarktkwalificatie.rijbewijs":{"$all":[]}}"#,
            "arbeidsmarktkwalificatie.rijbewijs.$all", "non-empty array"
        ),
        (
            #"{\#(gebied),"arbeidsmarktkwalificatie.taalbeheersing":{"$all":[{"$elemMatch":{"codeTaal":{"$eq":"nld"},"codeNiveauTaalbeheersingMondeling":{"$gte":5}}}]}}"#,
            "arbeidsmarktkwalificatie.taalbeheersing.$all[0].$elemMatch.codeNiveauTaalbeheersingMondeling.$gte",
            "out of range (2–4)"
        ),
        (
            #"{\#(gebied),"bemiddelingsberoep":{"$elemMatch":{"$or":{"codeBeroepsnaam":{"$eq":"https://x.nl/1"}}}}}"#,
            "bemiddelingsberoep.$elemMatch.$or", "non-empty array"
        ),
        (
            #"{\#(gebied),"contractvorm":{"$elemMatch":{"$or":[{"codeTypeArbeidscontract":{"$eq":"V"}}]}}}"#,
            "contractvorm.$elemMatch.$or[0].codeTypeArbeidscontract.$eq", "is not a type arbeidscontract"
        ),
        ("[1,2]", "", "must be a JSON object"),
    ]

    @Test("malformed questions are refused with 400.01 and the path of what is wrong", arguments: malformed)
    func malformedQuestion(text: String, path: String, message: String) throws {
        #expect {
            try vraag(text)
        } throws: { error in
            guard let e = error as? SelectievraagError else { return false }
            return e.code == "400.01" && e.path == path && e.message.contains(message)
        }
    }

    @Test("vacature niveau forms: only $gte \"1\"..\"6\" with $lt \"7\", or $eq \"7\"; numbers are refused")
    func niveauForms() throws {
        for bad in [
            #"{"$gte":"7","$lt":"7"}"#, #"{"$gte":"0","$lt":"7"}"#, #"{"$eq":"3"}"#, #"{"$gte":3,"$lt":"7"}"#,
            #"{"$eq":7}"#, #"{"$gte":"3"}"#,
        ] {
            #expect(throws: SelectievraagError.self, "\(bad)") {
                try vraag(#"{\#(gebied),"codeWerkEnDenkniveauMinimaal":\#(bad)}"#, .vacatures)
            }
        }
    }

    @Test("a question postcode outside every known area is refused when the question is prepared")
    func unknownQuestionPostcode() throws {
        let q = try vraag(#"{"selectiegebied":{"postcode":"0999AA","afstand":5}}"#)
        #expect(throws: SelectievraagError.self) { try evaluator.prepare(q) }
    }
}

@Suite("Selectievraag: semantics (DOMAIN.md section 3, strict MongoDB reading)")
struct SemanticsTests {
    @Test("all criteria must hold (AND)")
    func conjunction() throws {
        let q = try vraag(
            #"{\#(gebied),"werktijden.indicatieKantoortijden":{"$eq":1},"flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst":{"$eq":2}}"#
        )
        #expect(
            try matches(
                werkzoekende(
                    #""werktijden":{"indicatieKantoortijden":1},"flexibiliteit":{"indicatieOnregelmatigWerkOfPloegendienst":2}"#
                ), q))
        #expect(
            try !matches(
                werkzoekende(
                    #""werktijden":{"indicatieKantoortijden":1},"flexibiliteit":{"indicatieOnregelmatigWerkOfPloegendienst":1}"#
                ), q))
    }

    @Test("a criterion on a field the record does not have fails; onbekend (0) is not ja or nee")
    func missingFieldFails() throws {
        let q = try vraag(#"{\#(gebied),"werktijden.indicatieKantoortijden":{"$eq":2}}"#)
        #expect(try !matches(werkzoekende(), q))
        #expect(try !matches(werkzoekende(#""werktijden":{"aantalWerkurenPerWeekMaximaal":40}"#), q))
        #expect(try !matches(werkzoekende(#""werktijden":{"indicatieKantoortijden":0}"#), q))
        #expect(try matches(werkzoekende(#""werktijden":{"indicatieKantoortijden":2}"#), q))
        let hours = try vraag(#"{\#(gebied),"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":1}}"#)
        #expect(try !matches(werkzoekende(#""werktijden":{"aantalWerkurenPerWeekMinimaal":1}"#), hours))
    }

    @Test("working hours are interval overlap, endpoints included, each clause on its own")
    func hoursOverlap() throws {
        let q = try vraag(
            #"{\#(gebied),"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24},"werktijden.aantalWerkurenPerWeekMinimaal":{"$lte":32}}"#
        )
        func person(_ min: Int, _ max: Int) throws -> WerkzoekendeMatchingProfiel {
            try werkzoekende(
                #""werktijden":{"aantalWerkurenPerWeekMinimaal":\#(min),"aantalWerkurenPerWeekMaximaal":\#(max)}"#)
        }
        #expect(try matches(person(32, 40), q))  // touches at 32
        #expect(try matches(person(16, 24), q))  // touches at 24
        #expect(try matches(person(20, 36), q))  // contains
        #expect(try !matches(person(16, 20), q))  // below
        #expect(try !matches(person(36, 40), q))  // above
        // Each clause alone: a record with only a maximum cannot satisfy the minimum clause.
        #expect(try !matches(werkzoekende(#""werktijden":{"aantalWerkurenPerWeekMaximaal":40}"#), q))
    }

    @Test("$elemMatch: one element must satisfy all its conditions")
    func elemMatchOneElement() throws {
        let q = try vraag(
            #"{\#(gebied),"arbeidsmarktkwalificatie.taalbeheersing":{"$all":[{"$elemMatch":{"codeTaal":{"$eq":"nld"},"codeNiveauTaalbeheersingMondeling":{"$gte":3},"codeNiveauTaalbeheersingSchriftelijk":{"$gte":3}}}]}}"#
        )
        let split = try werkzoekende(
            #""arbeidsmarktkwalificatie":{"taalbeheersing":[{"codeTaal":"nld","codeNiveauTaalbeheersingMondeling":4},{"codeTaal":"nld","codeNiveauTaalbeheersingSchriftelijk":4}]}"#
        )
        #expect(try !matches(split, q))
        let whole = try werkzoekende(
            #""arbeidsmarktkwalificatie":{"taalbeheersing":[{"codeTaal":"eng","codeNiveauTaalbeheersingMondeling":4},{"codeTaal":"nld","codeNiveauTaalbeheersingMondeling":3,"codeNiveauTaalbeheersingSchriftelijk":4}]}"#
        )
        #expect(try matches(whole, q))
        let low = try werkzoekende(
            #""arbeidsmarktkwalificatie":{"taalbeheersing":[{"codeTaal":"nld","codeNiveauTaalbeheersingMondeling":2,"codeNiveauTaalbeheersingSchriftelijk":4}]}"#
        )
        #expect(try !matches(low, q))
        // $gte compares numbers: in the strict reading 8 (n.v.t.) passes a level of 3.
        let nvt = try werkzoekende(
            #""arbeidsmarktkwalificatie":{"taalbeheersing":[{"codeTaal":"nld","codeNiveauTaalbeheersingMondeling":8,"codeNiveauTaalbeheersingSchriftelijk":8}]}"#
        )
        #expect(try matches(nvt, q))
        // Levels are optional in the question: the language alone.
        let anyLevel = try vraag(
            #"{\#(gebied),"arbeidsmarktkwalificatie.taalbeheersing":{"$all":[{"$elemMatch":{"codeTaal":{"$eq":"nld"}}}]}}"#
        )
        #expect(try matches(low, anyLevel))
    }

    @Test("$all: every clause is satisfied by some element, not necessarily the same one")
    func allClauses() throws {
        let q = try vraag(
            #"{\#(gebied),"arbeidsmarktkwalificatie.rijbewijs":{"$all":[{"$elemMatch":{"codeSoortRijbewijs":{"$eq":"B"}}},{"$elemMatch":{"codeSoortRijbewijs":{"$eq":"C"}}}]}}"#
        )
        #expect(
            try !matches(werkzoekende(#""arbeidsmarktkwalificatie":{"rijbewijs":[{"codeSoortRijbewijs":"B"}]}"#), q))
        #expect(
            try matches(
                werkzoekende(
                    #""arbeidsmarktkwalificatie":{"rijbewijs":[{"codeSoortRijbewijs":"C"},{"codeSoortRijbewijs":"AM"},{"codeSoortRijbewijs":"B"}]}"#
                ), q))
        #expect(try !matches(werkzoekende(), q))
    }

    @Test("$or inside $elemMatch: one element satisfies one branch")
    func orInsideElemMatch() throws {
        let q = try vraag(
            #"{\#(gebied),"bemiddelingsberoep":{"$elemMatch":{"$or":[{"codeBeroepsnaam":{"$eq":"https://x.nl/1"}},{"codeBeroepsnaam":{"$eq":"https://x.nl/2"}}]}}}"#
        )
        #expect(
            try matches(
                werkzoekende(
                    #""bemiddelingsberoep":[{"codeBeroepsnaam":"https://x.nl/9"},{"codeBeroepsnaam":"https://x.nl/2"}]"#
                ), q))
        #expect(try !matches(werkzoekende(#""bemiddelingsberoep":[{"codeBeroepsnaam":"https://x.nl/9"}]"#), q))
        let c = try vraag(
            #"{\#(gebied),"contractvorm":{"$elemMatch":{"$or":[{"codeTypeArbeidscontract":{"$eq":"O"}},{"codeTypeOvereenkomst":{"$eq":"02"}}]}}}"#
        )
        #expect(
            try matches(
                werkzoekende(#""contractvorm":[{"codeTypeArbeidscontract":"B","codeTypeOvereenkomst":"02"}]"#), c))
        #expect(
            try !matches(
                werkzoekende(#""contractvorm":[{"codeTypeArbeidscontract":"B","codeTypeOvereenkomst":"01"}]"#), c))
    }

    @Test("dates compare as ISO strings: $lte for availability, $gte for the start of work")
    func dates() throws {
        let q = try vraag(#"{\#(gebied),"datumAanvangBeschikbaarVoorWerk":{"$lte":"2026-06-01"}}"#)
        #expect(try matches(werkzoekende(#""flexibiliteit":{"datumAanvangBeschikbaarVoorWerk":"2026-06-01"}"#), q))
        #expect(try matches(werkzoekende(#""flexibiliteit":{"datumAanvangBeschikbaarVoorWerk":"2025-12-31"}"#), q))
        #expect(try !matches(werkzoekende(#""flexibiliteit":{"datumAanvangBeschikbaarVoorWerk":"2026-06-02"}"#), q))
        let v = try vraag(#"{\#(gebied),"datumAanvangWerkzaamheden":{"$gte":"2026-06-01"}}"#, .vacatures)
        #expect(try matches(vacature(#""arbeidsVoorwaarden":{"datumAanvangWerkzaamheden":"2026-06-01"}"#), v))
        #expect(try !matches(vacature(#""arbeidsVoorwaarden":{"datumAanvangWerkzaamheden":"2026-05-31"}"#), v))
        #expect(try !matches(vacature(), v))
    }

    @Test("vacature levels compare as strings within \"1\"..\"6\" below \"7\"; \"7\" only by $eq")
    func levels() throws {
        let from3 = try vraag(#"{\#(gebied),"codeWerkEnDenkniveauMinimaal":{"$gte":"3","$lt":"7"}}"#, .vacatures)
        let eq7 = try vraag(#"{\#(gebied),"codeWerkEnDenkniveauMinimaal":{"$eq":"7"}}"#, .vacatures)
        func v(_ n: String) throws -> VacatureMatchingProfiel {
            try vacature(#""codeWerkEnDenkniveauMinimaal":"\#(n)""#)
        }
        #expect(try matches(v("3"), from3))
        #expect(try matches(v("6"), from3))
        #expect(try !matches(v("2"), from3))
        #expect(try !matches(v("7"), from3))
        #expect(try matches(v("7"), eq7))
        #expect(try !matches(v("6"), eq7))
        #expect(try !matches(vacature(), from3))
    }

    @Test("selectiegebied: great-circle distance between PC4 centroids, at most afstand km")
    func distance() throws {
        // Utrecht 3511 to Amersfoort 3811 is about 19.9 km between the table's centroids.
        let near = try vraag(#"{"selectiegebied":{"postcode":"3511AB","afstand":20}}"#)
        let tooNear = try vraag(#"{"selectiegebied":{"postcode":"3511AB","afstand":19}}"#)
        let amersfoort = try werkzoekende(postcode: "3811AA")
        #expect(try matches(amersfoort, near))
        #expect(try !matches(amersfoort, tooNear))
        // Same PC4 area: distance 0, so afstand 0 matches.
        #expect(
            try matches(
                werkzoekende(postcode: "3511ZZ"), vraag(#"{"selectiegebied":{"postcode":"3511AB","afstand":0}}"#)))
        // A record whose postcode lies in no known area can never match.
        #expect(
            try !matches(
                werkzoekende(postcode: "0999AA"), vraag(#"{"selectiegebied":{"postcode":"3511AB","afstand":999}}"#)))
    }

    @Test(
        "result selection: at most the cap, the nearest first, and maximumAantalResultatenBereikt when there were more")
    func selection() throws {
        let q = try evaluator.prepare(vraag(#"{"selectiegebied":{"postcode":"3511AB","afstand":100}}"#))
        var records: [WerkzoekendeMatchingProfiel] = []
        for i in 0..<150 {
            var r = try werkzoekende(postcode: i % 2 == 0 ? "3811AA" : "3512AA")
            r.idWerkzoekende = try RecordID(validating: "w\(i)")
            records.append(r)
        }
        let capped = evaluator.select(records, q, limit: 100)
        #expect(capped.matches.count == 100)
        #expect(capped.maximumAantalResultatenBereikt)
        // All 75 in Utrecht 3512 (0.5 km) come before any in Amersfoort (19.9 km).
        #expect(capped.matches.prefix(75).allSatisfy { $0.mobiliteit.bemiddelingspostcode.pc4 == 3512 })
        let exact = evaluator.select(records.prefix(100), q, limit: 100)
        #expect(exact.matches.count == 100)
        #expect(!exact.maximumAantalResultatenBereikt)
    }
}

@Suite("PC4 table")
struct PC4TableTests {
    @Test("the shared table loads whole (4064 areas)")
    func sharedTable() {
        #expect(pc4Table.count == 4064)
        #expect(pc4Table.centroid(3511) != nil)
    }

    @Test("CRLF and LF line endings both load; a malformed line is named")
    func parsing() throws {
        let crlf = try PC4Table.parse(
            csv: "pc4,lat,lon,name\r\n3511,52.0884,5.1175,Utrecht\r\n3811,52.1557,5.3883,Amersfoort\r\n")
        let lf = try PC4Table.parse(csv: "pc4,lat,lon,name\n3511,52.0884,5.1175,Utrecht\n")
        #expect(crlf.count == 2)
        #expect(lf.count == 1)
        #expect {
            try PC4Table.parse(
                csv: "pc4,lat,lon,name\n3511,52.0884,5.1175,Utrecht\n35x1,52,5,Nergens\n", source: "t.csv")
        } throws: { "\($0)".contains("t.csv line 3") }
    }

    @Test("the areas within a radius are exactly those a look at every centroid finds, nearest first")
    func areasWithin() {
        var random = SeededRandom(seed: 7)
        let all = pc4Table.postcodeAreas
        for radius in [0.0, 0.5, 3, 15, 25, 60, 150, 999] {
            for _ in 0..<25 {
                let centre = pc4Table.centroid(all[Int.random(in: 0..<all.count, using: &random)])!
                let expected = all.compactMap { pc4 -> (pc4: Int, distance: Double)? in
                    let d = PC4Table.distance(centre, pc4Table.centroid(pc4)!)
                    return d <= radius + 1e-9 ? (pc4, d) : nil
                }.sorted { ($0.distance, $0.pc4) < ($1.distance, $1.pc4) }
                let got = pc4Table.areas(within: radius, of: centre)
                #expect(got.map(\.pc4) == expected.map(\.pc4), "radius \(radius)")
                #expect(got.map(\.distance) == expected.map(\.distance), "radius \(radius)")
            }
        }
    }
}
