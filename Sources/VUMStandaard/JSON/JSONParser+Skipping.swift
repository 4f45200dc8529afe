/// Validating without building: the parser walks a value and checks it exactly as `parseValue` would
/// (same grammar, same depth limit, numbers in range), but allocates nothing. Strings must also be valid
/// UTF-8 here: the tree parser repairs broken UTF-8 when it builds a `String`, bytes that are passed on
/// as they are cannot be repaired, so they are refused instead.
extension JSONParser {
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard depth < Self.maximumDepth else { throw error("nested more than \(Self.maximumDepth) deep") }
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            _ = try scanObject(depth: depth, picking: nil)
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input in an array") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return
                }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    /// Skips a string at `index` (its opening quote); true when it contains an escape, so its bytes are
    /// not its text.
    mutating func skipString() throws(JSONParseError) -> Bool {
        index += 1
        var escaped = false
        while index < bytes.count {
            skipPlainRun()
            guard index < bytes.count else { break }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return escaped
            }
            if b < 0x80 {
                if b == UInt8(ascii: "\\") {
                    escaped = true
                    try skipEscape()
                    continue
                }
                guard b >= 0x20 else { throw error("control character in a string") }
                index += 1
                continue
            }
            try skipUTF8Sequence()
        }
        throw error("unterminated string")
    }

    /// Skips eight bytes at a time while none of them needs a look of its own: a quote, a backslash, a
    /// control character or a byte of a multi-byte UTF-8 sequence (the usual SWAR tests for a zero byte
    /// and for bytes below or above a bound), then to the first byte that does. Strings are most of a
    /// match's bytes; byte by byte, this loop was the aggregator's largest single cost. The tests flag
    /// the first such byte exactly (a borrow only runs towards higher bytes), and the words are loaded
    /// little-endian, so its place is the lowest flag's.
    @inline(__always)
    mutating func skipPlainRun() {
        guard let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= bytes.count {
            let w = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let quote = w ^ (ones &* 0x22)
            let backslash = w ^ (ones &* 0x5C)
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | (w &- ones &* 0x20) | w
            let flags = special & highs
            guard flags == 0 else {
                index += flags.littleEndian.trailingZeroBitCount >> 3
                return
            }
            index += 8
        }
    }

    /// One escape after the backslash at `index`, checked as `parseString` checks it.
    mutating func skipEscape() throws(JSONParseError) {
        index += 1
        guard index < bytes.count else { throw error("unexpected end of input in a string") }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return
        case UInt8(ascii: "u"):
            let scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("a high surrogate must be followed by a low surrogate") }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid low surrogate") }
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("a lone low surrogate")
            }
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
        }
    }

    /// One multi-byte UTF-8 sequence starting at `index` (RFC 3629: no overlong forms, no surrogates,
    /// nothing above U+10FFFF).
    mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: throw error("invalid UTF-8 in a string")
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else {
            throw error("invalid UTF-8 in a string")
        }
        for i in 2..<length where !(0x80...0xBF).contains(bytes[index + i]) {
            throw error("invalid UTF-8 in a string")
        }
        index += length
    }

    /// A number, checked as `parseNumber` checks it: only an exponent or a very long mantissa can be out of
    /// range, so only those are converted.
    mutating func skipNumber() throws(JSONParseError) {
        let (start, _, mayOverflow) = try scanNumber()
        if mayOverflow || index - start > 300 {
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let d = Double(text), d.isFinite else {
                throw JSONParseError(offset: start, reason: "number out of range")
            }
        }
    }
}
