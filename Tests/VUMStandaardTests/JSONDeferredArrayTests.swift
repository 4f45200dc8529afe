import Foundation
import Testing
import VUMStandaard
import VUMTesting

/// `JSONValue.parse(_:deferringArray:picking:)` must accept exactly what the tree parser accepts (except
/// broken UTF-8 inside strings of the deferred array, which it refuses) and describe the same values.
@Suite("JSON: parsing with one array deferred")
struct JSONDeferredArrayTests {
    static let keys: Set<String> = ["id", "idB"]

    func parse(_ text: String) throws(JSONParseError) -> (value: JSONValue, elements: [JSONDeferredElement]?) {
        try JSONValue.parse(Array(text.utf8), deferringArray: "m", picking: Self.keys)
    }

    /// The element's object with its picked member cut out by `removal`, parsed.
    func cut(_ text: String, _ element: JSONDeferredElement, _ member: JSONPickedMember) throws -> JSONValue {
        let bytes = Array(text.utf8)
        return try JSONValue.parse(
            Array(bytes[element.range.lowerBound..<member.removal.lowerBound])
                + Array(bytes[member.removal.upperBound..<element.range.upperBound]))
    }

    @Test(
        "elements are ranges of the input; the rest of the document is built; picked members are found wherever they are"
    )
    func elements() throws {
        let text =
            #"{"a": 1, "m": [ {"id":"x","b":2} , {"b":[1,{"id":"nested"}] ,"id" : "y"}, {"id":"z"}, 7, "s", {} ], "c": true}"#
        let (value, elements) = try parse(text)
        #expect(value == .object(JSONObject([("a", .number(.integer(1))), ("m", .array([])), ("c", .bool(true))])))
        let e = try #require(elements)
        #expect(e.count == 6)
        let bytes = Array(text.utf8)
        let tree = try JSONValue.parse(text)
        guard case .object(let o) = tree, case .array(let m)? = o["m"] else {
            Issue.record("not parsed")
            return
        }
        for (i, element) in e.enumerated() {
            #expect(try JSONValue.parse(Array(bytes[element.range])) == m[i])
        }
        #expect(e.map(\.memberCount) == [2, 2, 1, nil, nil, 0])
        #expect(e.map { $0.picked.map(\.value) } == [[.string("x")], [.string("y")], [.string("z")], [], [], []])
        // First, last and only member: each cut leaves valid JSON without it (a nested "id" is not picked).
        #expect(try cut(text, e[0], e[0].picked[0]) == .object(JSONObject([("b", .number(.integer(2)))])))
        #expect(try cut(text, e[1], e[1].picked[0]) == JSONValue.parse(#"{"b":[1,{"id":"nested"}]}"#))
        #expect(try cut(text, e[2], e[2].picked[0]) == .object(JSONObject()))
    }

    @Test("a key written with escapes is still picked; a key picked twice is listed twice")
    func escapedAndDuplicateKeys() throws {
        let (_, elements) = try parse(#"{"m":[{"\u0069d":"x","a":1},{"id":"p","idB":"q","id":"r"}]}"#)
        let e = try #require(elements)
        #expect(e[0].picked.map(\.key) == ["id"])
        #expect(e[1].picked.map(\.key) == ["id", "idB", "id"])
        #expect(e[1].picked.map(\.value) == [.string("p"), .string("q"), .string("r")])
    }

    @Test("no array under the key, or no object at the top: the whole document is built")
    func notDeferred() throws {
        #expect(try parse(#"{"m": 5}"#).elements == nil)
        #expect(try parse(#"{"m": 5}"#).value == JSONValue.parse(#"{"m": 5}"#))
        #expect(try parse(#"[{"m":[]}]"#).elements == nil)
        #expect(try parse(#"{"m":[1],"m":2}"#).elements == nil)
        #expect(try parse(#"{"x":1}"#).elements == nil)
        #expect(try parse(#"{"m":[]}"#).elements == [])
    }

    @Test(
        "what the tree parser refuses is refused, at the same offset",
        arguments: [
            #"{"m":[{"a":1,}]}"#, #"{"m":[1 2]}"#, #"{"m":[{"a" 1}]}"#, #"{"m":["abc]}"#, #"{"m":[01]}"#,
            #"{"m":[tru]}"#,
            #"{"m":[1]}x"#, "{\"m\":[\"a\u{01}\"]}", #"{"m":[1e999]}"#, #"{"m":["\ud83d"]}"#,
            #"{"m":[{"id":"\ude00"}]}"#,
            #"{"m":[{"id":1e400}]}"#, #"{"m":["\x"]}"#, #"{"m":[1,]}"#, #"{"m":[{"id":"a"}"#,
        ])
    func malformed(text: String) {
        var treeOffset: Int?
        do { _ = try JSONValue.parse(text) } catch { treeOffset = error.offset }
        var deferredOffset: Int?
        do { _ = try parse(text) } catch { deferredOffset = error.offset }
        #expect(treeOffset != nil)
        #expect(deferredOffset == treeOffset, "\(text)")
    }

    @Test("nesting beyond the tree parser's limit is refused inside the deferred array too")
    func depth() {
        let deep = #"{"m":["# + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "]}"
        #expect(throws: JSONParseError.self) { try parse(deep) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test(
        "broken UTF-8 in a deferred string is refused (it could not be passed on); elsewhere it is repaired as by the tree parser"
    )
    func brokenUTF8() throws {
        let broken: [UInt8] = Array(#"{"m":["a"#.utf8) + [0xC3, 0x28] + Array(#""]}"#.utf8)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(broken, deferringArray: "m", picking: []) }
        #expect((try? JSONValue.parse(broken)) != nil)
        let outside: [UInt8] = Array(#"{"x":"a"#.utf8) + [0xFF] + Array(#"","m":[]}"#.utf8)
        #expect(
            try JSONValue.parse(outside, deferringArray: "m", picking: []).value
                == JSONValue.parse(outside).with("m", .array([])))
        // Every well-formed sequence passes, up to U+10FFFF; overlong forms and surrogates do not.
        for good: [UInt8] in [
            [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xED, 0x9F, 0xBF],
        ] {
            #expect(
                (try? JSONValue.parse(
                    Array(#"{"m":[""#.utf8) + good + Array(#""]}"#.utf8), deferringArray: "m", picking: [])) != nil)
        }
        for bad: [UInt8] in [
            [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0x80], [0xE2, 0x82],
        ] {
            #expect(throws: JSONParseError.self) {
                try JSONValue.parse(
                    Array(#"{"m":[""#.utf8) + bad + Array(#""]}"#.utf8), deferringArray: "m", picking: [])
            }
        }
    }

    @Test(
        "strings of every length with a quote, escape, control byte or UTF-8 sequence at every position read as the tree reads them"
    )
    func stringPositions() throws {
        let specials: [[UInt8]] = [
            [0x5C, 0x22], [0x5C, 0x6E], Array(#"\u00e9"#.utf8), [0x01], [0x22], [0xC3, 0xA9], [0xE2, 0x82, 0xAC],
            [0xF0, 0x9F, 0x98, 0x80], [0xFF], [0xC3],
        ]
        for length in 0..<20 {
            for position in 0...length {
                for special in specials {
                    var text = Array(repeating: UInt8(ascii: "a"), count: length)
                    text.insert(contentsOf: special, at: position)
                    let document = Array(#"{"m":[""#.utf8) + text + Array(#""]}"#.utf8)
                    let tree = try? JSONValue.parse(document)
                    let deferred = try? JSONValue.parse(document, deferringArray: "m", picking: [])
                    let brokenUTF8 = String(validating: text, as: UTF8.self) == nil
                    #expect((deferred == nil) == (tree == nil || brokenUTF8), "\(text)")
                    if let element = deferred?.elements?.first, case .object(let o)? = tree,
                        case .array(let m)? = o["m"]
                    {
                        #expect(try JSONValue.parse(Array(document[element.range])) == m[0])
                    }
                }
            }
        }
    }

    @Test(
        "mutated documents: accepted exactly when the tree parser accepts them (broken UTF-8 aside), with the same values"
    )
    func fuzz() throws {
        let corpus = [
            #"{"v":"1","m":[{"id":"a-1","x":[1,2.5,{"y":null}],"z":"é€"},{"q":true,"id":"b"},{"id":"c"}],"n":false}"#,
            #"{ "m" : [ { "idB" : "x" , "id" : "\u0041" } , [ ] , -0.5e3 ] }"#,
        ].map { Array($0.utf8) }
        var mutator = Mutator(seed: 4711, corpus: corpus)
        var compared = 0
        for _ in 0..<Mutator.iterations(default: 20_000) {
            let bytes = mutator.next()
            let tree = try? JSONValue.parse(bytes)
            guard let deferred = try? JSONValue.parse(bytes, deferringArray: "m", picking: Self.keys) else {
                // Refused where the tree parser accepted: only for broken UTF-8.
                if tree != nil { #expect(String(validating: bytes, as: UTF8.self) == nil, "\(bytes)") }
                continue
            }
            let value = try #require(tree, "accepted only with the array deferred: \(bytes)")
            guard let elements = deferred.elements else {
                #expect(deferred.value == value)
                continue
            }
            guard case .object(let o) = value, case .array(let m)? = o["m"] else {
                Issue.record("elements without an array: \(bytes)")
                continue
            }
            #expect(deferred.value == value.with("m", .array([])))
            #expect(elements.count == m.count)
            for (element, expected) in zip(elements, m) {
                #expect(try JSONValue.parse(Array(bytes[element.range])) == expected)
                guard case .object(let object) = expected else {
                    #expect(element.memberCount == nil && element.picked.isEmpty)
                    continue
                }
                for key in Self.keys {
                    let members = element.picked.filter { $0.key == key }
                    #expect(members.last?.value == object[key])
                    if members.count == 1 {
                        let without = try JSONValue.parse(
                            Array(bytes[element.range.lowerBound..<members[0].removal.lowerBound])
                                + Array(bytes[members[0].removal.upperBound..<element.range.upperBound]))
                        var expectedWithout = object
                        expectedWithout[key] = nil
                        #expect(without == .object(expectedWithout))
                    }
                }
            }
            compared += 1
        }
        #expect(compared > 100)
    }
}

extension JSONValue {
    /// The object with `key` set to `value` (its place kept when it is there).
    func with(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var o) = self else { return self }
        o[key] = value
        return .object(o)
    }
}
