import Foundation
import Testing
import VUMStandaard
import VUMTesting

@testable import VUMExchange

/// A value as it reads after being written out: the serializer writes an integral double as an integer,
/// so a tree written and read again may differ in number type only (`0.0` comes back as `0`).
func normal(_ value: JSONValue) -> JSONValue {
    (try? JSONValue.parse(value.serializedBytes())) ?? value
}

/// What the old merge did with a match tree: the record id removed, the vumID appended.
func treeMerge(_ match: JSONValue, idKey: String, vumID: String) -> JSONValue? {
    guard case .object(var o) = match, case .string? = o[idKey] else { return nil }
    o[idKey] = nil
    o["vumID"] = .string(vumID)
    return .object(o)
}

/// The aggregator keeps a bron's matches as bytes; everything it reads from them and writes of them must
/// equal what decoding the answer into trees gives.
@Suite("ReceivedGegevensset: matches kept as bytes, read and written as the trees would be")
struct ReceivedGegevenssetTests {
    let data = SyntheticData(seed: 77, table: testPC4Table)

    func check(_ body: [UInt8], against bericht: GegevenssetBericht, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let received = try ReceivedGegevensset.decode(Data(body))
        var header = bericht
        header.matches = []
        #expect(received.bericht == header, sourceLocation: sourceLocation)
        #expect(received.matchCount == bericht.matches.count, sourceLocation: sourceLocation)
        #expect(normal(received.fullBericht.json) == normal(bericht.json), sourceLocation: sourceLocation)
        let idKey = bericht.gegevensset.idKey
        for (i, match) in bericht.matches.enumerated() {
            let vumID = "vum-\(i)_A.z"
            var out: [UInt8] = []
            let written = received.writeMatch(i, to: &out) { $0 += Array(vumID.utf8) }
            // An id given twice is left out (the tree kept the last one; which one the bron meant is unknowable).
            let twice = received.elements[i].picked.filter { $0.key == idKey }.count > 1
            let expected = twice ? nil : treeMerge(match, idKey: idKey, vumID: vumID)
            #expect(written == (expected != nil), "match \(i)", sourceLocation: sourceLocation)
            if let expected {
                #expect(
                    try normal(JSONValue.parse(out)) == normal(expected), "match \(i)", sourceLocation: sourceLocation)
                if case .object(let o) = match, case .string(let id)? = o[idKey] {
                    #expect(received.recordID(of: i) == id, sourceLocation: sourceLocation)
                }
            } else {
                #expect(out.isEmpty && received.recordID(of: i) == nil, sourceLocation: sourceLocation)
            }
        }
    }

    @Test("generated answers, compact and indented, for both gegevenssets")
    func generated() throws {
        let werkzoekenden = GegevenssetBericht(
            vraagID: "v", bronID: bron, gegevensset: .werkzoekenden,
            matches: (0..<20).map { data.werkzoekende($0).matchingProfiel.json },
            maximumAantalResultatenBereikt: true, genegeerdeCriteria: ["leeftijd"], duurMs: 4)
        let vacatures = GegevenssetBericht(
            vraagID: "v", bronID: bron, gegevensset: .vacatures,
            matches: (0..<20).map { data.vacature($0).matchingProfiel.json },
            maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])
        for bericht in [werkzoekenden, vacatures] {
            try check(bericht.json.serializedBytes(), against: bericht)
            try check(Array(bericht.json.serializedPretty().utf8), against: bericht)
        }
        let fout = GegevenssetBericht(
            vraagID: "v", bronID: bron, gegevensset: .vacatures, fout: .internalError("store down"))
        try check(fout.json.serializedBytes(), against: fout)
        #expect(ReceivedGegevensset(werkzoekenden).fullBericht == werkzoekenden)
    }

    @Test(
        "matches the merge must leave out: no id, the other gegevensset's id, an id twice, a number for an id, not an object"
    )
    func oddMatches() throws {
        let matches: [JSONValue] = try [
            #"{"idWerkzoekende":"first","a":1}"#, #"{"a":1,"idWerkzoekende":"last"}"#, #"{"idWerkzoekende":"only"}"#,
            #"{"a":{"idWerkzoekende":"nested"}}"#, #"{"idVacature":"other"}"#,
            #"{"idWerkzoekende":"x","idWerkzoekende":"y"}"#,
            #"{"idWerkzoekende":5}"#, #"[1]"#, #"{"\u0069dWerkzoekende":"escaped","b":[]}"#, "{}",
        ].map { try JSONValue.parse($0) }
        let body =
            Array(#"{"vraagID":"v","bronID":"gemeente-utrecht","gegevensset":"werkzoekenden","matches":["#.utf8)
            + Array(
                [
                    #"{"idWerkzoekende":"first","a":1}"#, #"{ "a" : 1 , "idWerkzoekende" : "last" }"#,
                    #"{"idWerkzoekende":"only"}"#,
                    #"{"a":{"idWerkzoekende":"nested"}}"#, #"{"idVacature":"other"}"#,
                    #"{"idWerkzoekende":"x","idWerkzoekende":"y"}"#,
                    #"{"idWerkzoekende":5}"#, #"[1]"#, #"{"\u0069dWerkzoekende":"escaped","b":[]}"#, "{}",
                ].joined(separator: ",").utf8)
            + Array(#"],"maximumAantalResultatenBereikt":false,"genegeerdeCriteria":[]}"#.utf8)
        let received = try ReceivedGegevensset.decode(Data(body))
        #expect(
            (0..<received.matchCount).map(received.recordID(of:)) == [
                "first", "last", "only", nil, nil, nil, nil, nil, "escaped", nil,
            ])
        #expect(received.fullBericht.matches == matches)
        for i in [0, 1, 2, 8] {
            var out: [UInt8] = []
            #expect(received.writeMatch(i, to: &out) { $0.append(UInt8(ascii: "V")) })
            var expected = matches[i]
            if case .object(var o) = expected {
                o["idWerkzoekende"] = nil
                o["vumID"] = .string("V")
                expected = .object(o)
            }
            #expect(try JSONValue.parse(out) == expected)
        }
    }

    @Test("broken UTF-8 in a match is repaired as the tree decoder repairs it, and written out valid")
    func brokenUTF8() throws {
        let body =
            Array(
                #"{"vraagID":"v","bronID":"gemeente-utrecht","gegevensset":"werkzoekenden","matches":[{"idWerkzoekende":"a","t":"x"#
                    .utf8)
            + [0xC3, 0x28] + Array(#""}],"maximumAantalResultatenBereikt":false,"genegeerdeCriteria":[]}"#.utf8)
        let tree = try MessageCodec.decode(GegevenssetBericht.self, from: Data(body))
        let received = try ReceivedGegevensset.decode(Data(body))
        #expect(received.fullBericht == tree)
        var out: [UInt8] = []
        #expect(received.writeMatch(0, to: &out) { $0.append(UInt8(ascii: "V")) })
        #expect(String(validating: out, as: UTF8.self) != nil)
        #expect(try JSONValue.parse(out) == treeMerge(tree.matches[0], idKey: "idWerkzoekende", vumID: "V"))
    }

    @Test(
        "refusals are those of the tree decoder",
        arguments: [
            "not json", #"{"vraagID":"v"}"#,
            #"{"vraagID":"v","bronID":"gemeente-utrecht","gegevensset":"werkzoekenden","matches":5,"maximumAantalResultatenBereikt":false,"genegeerdeCriteria":[]}"#,
            #"{"vraagID":"v","bronID":"gemeente-utrecht","gegevensset":"werkzoekenden","matches":[1,],"maximumAantalResultatenBereikt":false,"genegeerdeCriteria":[]}"#,
            #"{"vraagID":"v","bronID":"Not A Bron","gegevensset":"werkzoekenden","matches":[],"maximumAantalResultatenBereikt":false,"genegeerdeCriteria":[]}"#,
        ])
    func refusals(body: String) {
        var tree: Fout?
        do { _ = try MessageCodec.decode(GegevenssetBericht.self, from: Data(body.utf8)) } catch { tree = error }
        var received: Fout?
        do { _ = try ReceivedGegevensset.decode(Data(body.utf8)) } catch { received = error }
        #expect(tree != nil)
        #expect(received == tree)
    }

    @Test("a body over the size limit is refused before it is read")
    func tooLarge() {
        #expect { try ReceivedGegevensset.decode(Data(count: 2000), maximumSize: 1000) } throws: { error in
            (error as? Fout)?.details?.contains("2000 bytes") == true
        }
    }

    @Test("mutated answers: read exactly when the tree decoder reads them, to the same answer and the same merge")
    func fuzz() throws {
        let corpus = [
            GegevenssetBericht(
                vraagID: "v", bronID: bron, gegevensset: .werkzoekenden,
                matches: (0..<3).map { data.werkzoekende($0).matchingProfiel.json },
                maximumAantalResultatenBereikt: false, genegeerdeCriteria: ["x"], duurMs: 2),
            GegevenssetBericht(
                vraagID: "v", bronID: bron, gegevensset: .vacatures,
                matches: (0..<2).map { data.vacature($0).matchingProfiel.json },
                maximumAantalResultatenBereikt: true, genegeerdeCriteria: []),
        ].map { $0.json.serializedBytes() }
        var mutator = Mutator(seed: 9001, corpus: corpus)
        var both = 0
        for _ in 0..<Mutator.iterations(default: 3_000) {
            let body = mutator.next()
            let tree = try? MessageCodec.decode(GegevenssetBericht.self, from: Data(body))
            let received = try? ReceivedGegevensset.decode(Data(body))
            #expect((tree == nil) == (received == nil), "\(body)")
            guard let tree, let received else { continue }
            try check(body, against: tree)
            #expect(received.matchCount == tree.matches.count)
            both += 1
        }
        #expect(both > 50)
    }

    @Test("an answer written around matches already encoded is byte for byte the one MessageCodec writes")
    func encodedWithMatches() {
        let matches = (0..<5).map { data.werkzoekende($0).matchingProfiel.json }
        for bericht in [
            GegevenssetBericht(
                vraagID: "v\"1", bronID: bron, gegevensset: .werkzoekenden, matches: matches,
                maximumAantalResultatenBereikt: true, genegeerdeCriteria: ["leeftijd"], duurMs: 4),
            GegevenssetBericht(
                vraagID: "v", bronID: bron, gegevensset: .werkzoekenden, matches: [],
                maximumAantalResultatenBereikt: false, genegeerdeCriteria: []),
            GegevenssetBericht(
                vraagID: "v", bronID: bron, gegevensset: .vacatures, fout: .internalError("store down"), duurMs: 1),
        ] {
            var header = bericht
            header.matches = [.string("ignored")]
            #expect(
                header.encoded(withMatches: bericht.matches.map { $0.serializedBytes() })
                    == MessageCodec.encode(bericht))
        }
    }

    @Test("detail-only fields at the top of a match are named; the same names deeper down are not")
    func detailOnlyFields() throws {
        let werkzoekenden = GegevenssetBericht(
            vraagID: "v", bronID: bron, gegevensset: .werkzoekenden,
            matches: try [
                #"{"idWerkzoekende":"a","emailadres":"x@y.nl","telefoonnummer":"06"}"#,
                #"{"idWerkzoekende":"b","c":{"emailadres":"x"}}"#,
                #"{"idWerkzoekende":"c","nummerVacature":"n"}"#,
            ].map { try JSONValue.parse($0) }, maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])
        let w = try ReceivedGegevensset.decode(MessageCodec.encode(werkzoekenden))
        #expect((0..<3).map { w.detailOnlyFields(of: $0) } == [["emailadres", "telefoonnummer"], [], []])
        let vacatures = GegevenssetBericht(
            vraagID: "v", bronID: bron, gegevensset: .vacatures,
            matches: try [
                #"{"idVacature":"a","nummerVacature":"n"}"#, #"{"idVacature":"b","emailadres":"x"}"#,
            ].map { try JSONValue.parse($0) }, maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])
        let v = try ReceivedGegevensset.decode(MessageCodec.encode(vacatures))
        #expect((0..<2).map { v.detailOnlyFields(of: $0) } == [["nummerVacature"], []])
        #expect(Werkzoekende.detailOnlyFields.contains("contactpersoon"))
    }
}
