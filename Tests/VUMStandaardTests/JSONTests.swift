import Foundation
import Testing

@testable import VUMStandaard

@Suite("JSON parser and serializer")
struct JSONTests {
    @Test("strings with quotes, backslashes, control characters and non-ASCII survive a round trip")
    func stringEscapes() throws {
        let tricky = "a\"b\\c\nd\re\tf\u{01}g\u{1F}h é € 😀 \u{7F}"
        let json = JSONValue.object(JSONObject([("k\"ey", .string(tricky))]))
        let text = json.serialized()
        #expect(text == #"{"k\"ey":"a\"b\\c\nd\re\tf\u0001g\u001fh é € 😀 \#u{7F}"}"#)
        #expect(try JSONValue.parse(text) == json)
        // What Foundation's encoder writes parses to the same value.
        let foundation = try JSONEncoder().encode(["k": tricky])
        #expect(try JSONValue.parse(Array(foundation)) == .object(JSONObject([("k", .string(tricky))])))
    }

    @Test("\\u escapes, including surrogate pairs, decode to the right characters")
    func unicodeEscapes() throws {
        #expect(try JSONValue.parse(#""\u00e9\u20ac\ud83d\ude00\/""#) == .string("é€😀/"))
        #expect(throws: JSONParseError.self) { try JSONValue.parse(#""\ud83d""#) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(#""\ude00""#) }
    }

    @Test("integers stay integers, other numbers are doubles; the type is kept for $eq")
    func numbers() throws {
        #expect(try JSONValue.parse("7") == .number(.integer(7)))
        #expect(try JSONValue.parse("-0") == .number(.integer(0)))
        #expect(try JSONValue.parse("7.5") == .number(.double(7.5)))
        #expect(try JSONValue.parse("1e2") == .number(.double(100)))
        #expect(try JSONValue.parse("\"7\"") != JSONValue.parse("7"))
        #expect(JSONValue.number(.double(100)).serialized() == "100")
        #expect(JSONValue.number(.integer(Int64.max)).serialized() == "9223372036854775807")
    }

    @Test(
        "malformed JSON is refused with the byte offset",
        arguments: [
            ("{\"a\":1,}", 7), ("[1 2]", 3), ("{\"a\" 1}", 5), ("\"abc", 4), ("01", 1), ("tru", 0), ("[1]x", 3),
            ("\"a\u{01}\"", 2),
        ])
    func malformed(text: String, offset: Int) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.offset == offset, "\(error)")
        }
    }

    @Test("object keys keep their order; a repeated key keeps its last value")
    func objectOrder() throws {
        let v = try JSONValue.parse(#"{"b":1,"a":2,"b":3}"#)
        #expect(v.serialized() == #"{"b":3,"a":2}"#)
    }

    @Test("nesting deeper than 128 is refused rather than exhausting the stack")
    func depth() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }
}
