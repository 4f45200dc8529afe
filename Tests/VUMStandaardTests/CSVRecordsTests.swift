import Foundation
import Testing
import VUMTesting

@testable import VUMStandaard

@Suite("CSV layout for records")
struct CSVRecordsTests {
    func file(_ text: String) throws -> RecordFile { try RecordFile(csv: Array(text.utf8)) }

    @Test("headers are JSON paths; array columns line up by position; numbers only where the standard has numbers")
    func layout() throws {
        let f = try file(
            """
            idWerkzoekende,mobiliteit.bemiddelingspostcode,mobiliteit.maximaleReisafstand,bemiddelingsberoep[].codeBeroepsnaam,arbeidsmarktkwalificatie.taalbeheersing[].codeTaal,arbeidsmarktkwalificatie.taalbeheersing[].codeNiveauTaalbeheersingMondeling,emailadres[]
            wz-1,3511AB,25,https://x.nl/a|https://x.nl/b,nld|eng,|2,a@example.nl
            """)
        #expect(f.format == .csv)
        let record = try #require(try f.entries.first?.json.get())
        let expected = try JSONValue.parse(
            """
            {"idWerkzoekende":"wz-1","mobiliteit":{"bemiddelingspostcode":"3511AB","maximaleReisafstand":25},
             "bemiddelingsberoep":[{"codeBeroepsnaam":"https://x.nl/a"},{"codeBeroepsnaam":"https://x.nl/b"}],
             "arbeidsmarktkwalificatie":{"taalbeheersing":[{"codeTaal":"nld"},{"codeTaal":"eng","codeNiveauTaalbeheersingMondeling":2}]},
             "emailadres":["a@example.nl"]}
            """)
        #expect(record == expected)
        #expect(f.entries[0].position == "line 2")
        // A code that looks like a number stays text where the standard has text.
        let v = try file("idVacature,adres.postcode,codeWerkEnDenkniveauMinimaal\nv1,3511AB,3\n")
        #expect(
            try v.entries[0].json.get()
                == JSONValue.parse(
                    #"{"idVacature":"v1","adres":{"postcode":"3511AB"},"codeWerkEnDenkniveauMinimaal":"3"}"#))
    }

    @Test("quotes, doubled quotes, commas and line breaks inside fields, CRLF and a byte-order mark")
    func rfc4180() throws {
        let text =
            "\u{FEFF}idVacature,adres.postcode,naamVacature,omschrijvingVacature\r\n"
            + "v1,3511AB,\"Kok, fulltime\",\"Zegt \"\"ja\"\"\nen meer\"\r\n"
            + "v2,1012AB,Schoonmaker,\r\n"
        let f = try file(text)
        #expect(f.entries.count == 2)
        let first = try f.entries[0].json.get()
        #expect(
            first
                == (try JSONValue.parse(
                    #"{"idVacature":"v1","adres":{"postcode":"3511AB"},"naamVacature":"Kok, fulltime","omschrijvingVacature":"Zegt \"ja\"\nen meer"}"#
                )))
        // The second record starts on line 4: the quoted line break counts.
        #expect(f.entries[1].position == "line 4")
    }

    @Test("a quoted field left open is an entry with its error at its line")
    func unclosedQuote() throws {
        let f = try file("idVacature,adres.postcode\nv1,3511AB\nv2,\"open\n")
        #expect(f.entries.count == 2)
        #expect(f.entries[1].position == "line 3")
        guard case .failure(let e) = f.entries[1].json else {
            Issue.record("expected an error")
            return
        }
        #expect(e.description.contains("a quoted field is not closed"))
    }

    @Test("a short row is an entry with its error; the others still read")
    func shortRow() throws {
        let f = try file("idVacature,adres.postcode\nv1\nv2,3511AB\n")
        #expect(f.entries.count == 2)
        guard case .failure(let e) = f.entries[0].json else {
            Issue.record("expected an error")
            return
        }
        #expect(e.description == "1 fields where the header has 2")
        #expect((try? f.entries[1].json.get()) != nil)
    }

    @Test(
        "bad headers and an unclosed quote are errors naming what is wrong",
        arguments: [
            ("a[].b[].c\n1\n", "at most one []"),
            ("a,a\n1,2\n", "appears twice"),
            ("a,,b\n1,2,3\n", "column 2 has no name"),
            ("a..b\n1\n", "not a dotted JSON path"),
            ("", "the file is empty"),
        ])
    func badHeaders(text: String, message: String) {
        #expect {
            try RecordFile(csv: Array(text.utf8))
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("is not CSV in the records layout")
        }
    }

    @Test("the number fields of the layout are exactly the integer fields of the JSON Schemas")
    func integerFieldsMatchSchemas() throws {
        let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/schemas")
        var integers: Set<String> = []
        func walk(_ node: JSONValue, name: String, defs: JSONObject) {
            guard case .object(let o) = node else { return }
            if case .string(let ref)? = o["$ref"], let key = ref.split(separator: "/").last,
                let target = defs[String(key)]
            {
                walk(target, name: name, defs: defs)
            }
            if case .string(let t)? = o["type"], t == "integer" || t == "number" { integers.insert(name) }
            if case .array(let values)? = o["enum"], !values.isEmpty,
                values.allSatisfy({ if case .number = $0 { true } else { false } })
            {
                integers.insert(name)
            }
            if case .object(let properties)? = o["properties"] {
                for (key, value) in properties { walk(value, name: key, defs: defs) }
            }
            if let items = o["items"] { walk(items, name: name, defs: defs) }
            for key in ["anyOf", "oneOf", "allOf"] {
                if case .array(let options)? = o[key] { for option in options { walk(option, name: name, defs: defs) } }
            }
        }
        for file in ["werkzoekende", "vacature"] {
            let schema = try JSONValue.parse(
                Array(Data(contentsOf: schemas.appendingPathComponent("\(file).schema.json"))))
            guard case .object(let root) = schema else { throw RecordFileError(description: "schema is no object") }
            let defs: JSONObject = if case .object(let d)? = root["$defs"] { d } else { JSONObject() }
            walk(schema, name: "", defs: defs)
        }
        integers.remove("")
        #expect(integers == CSVRecords.integerFields)
    }
}
