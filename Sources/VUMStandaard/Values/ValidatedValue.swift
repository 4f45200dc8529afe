/// Why a value is not valid, in words a person can act on.
public struct ValueError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A string-based value of the standard that exists only when valid (postcode, OIN, ids, URIs...).
public protocol ValidatedValue: Sendable, Hashable, CustomStringConvertible, Codable {
    /// Validates (and normalises, where the standard says so) a raw string.
    init(validating raw: String) throws(ValueError)
    var rawValue: String { get }
}

extension ValidatedValue {
    public var description: String { rawValue }

    var json: JSONValue { .string(rawValue) }

    static func read(_ v: JSONValue, path: @autoclosure () -> String, log: IssueLog) -> Self? {
        guard case .string(let s) = v else {
            log.error(path(), "must be a string, not \(v.typeName)")
            return nil
        }
        do {
            return try Self(validating: s)
        } catch {
            log.error(path(), error.description)
            return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do {
            try self.init(validating: raw)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

enum Pattern {
    static func isASCIIDigits(_ s: Substring) -> Bool { s.utf8.allSatisfy { (0x30...0x39).contains($0) } }

    /// `^[a-zA-Z0-9_.-]{min,max}$`
    static func isIdentifier(_ s: String, max: Int) -> Bool {
        s.utf8.count <= max
            && s.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                    || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D
            }
    }

    static func quoted(_ s: String) -> String {
        let shown = s.count > 60 ? String(s.prefix(60)) + "…" : s
        return "\"\(shown)\""
    }
}

/// A Dutch postcode, normalised to `1234AB`.
public struct Postcode: ValidatedValue {
    public let rawValue: String
    /// The 4-digit area (PC4) the distance of `selectiegebied` is measured between.
    public var pc4: Int { Int(rawValue.prefix(4))! }

    public init(validating raw: String) throws(ValueError) {
        let u = raw.uppercased()
        guard u.utf8.count == 6, Pattern.isASCIIDigits(u.prefix(4)),
            u.utf8.dropFirst(4).allSatisfy({ (0x41...0x5A).contains($0) })
        else { throw ValueError("\(Pattern.quoted(raw)) is not a postcode (four digits and two letters, like 1234AB)") }
        rawValue = u
    }
}

/// An Organisatie-identificatienummer: 20 digits.
public struct OIN: ValidatedValue {
    public let rawValue: String
    public init(validating raw: String) throws(ValueError) {
        guard raw.utf8.count == 20, Pattern.isASCIIDigits(raw[...]) else {
            throw ValueError("\(Pattern.quoted(raw)) is not an OIN (20 digits)")
        }
        rawValue = raw
    }
}

/// The exchange's pseudonym of (bron, record id): `^[a-zA-Z0-9_.-]{1,500}$`.
public struct VumID: ValidatedValue {
    public let rawValue: String
    public init(validating raw: String) throws(ValueError) {
        guard !raw.isEmpty, Pattern.isIdentifier(raw, max: 500) else {
            throw ValueError("\(Pattern.quoted(raw)) is not a vumID (1 to 500 of a-z A-Z 0-9 _ . -)")
        }
        rawValue = raw
    }
}

/// A bron's own record id (`idWerkzoekende`, `idVacature`): `^[a-zA-Z0-9_.-]{1,200}$`.
public struct RecordID: ValidatedValue {
    public let rawValue: String
    public init(validating raw: String) throws(ValueError) {
        guard !raw.isEmpty, Pattern.isIdentifier(raw, max: 200) else {
            throw ValueError("\(Pattern.quoted(raw)) is not a record id (1 to 200 of a-z A-Z 0-9 _ . -)")
        }
        rawValue = raw
    }
}

/// A CompetentNL URI (occupation or skill), at most 200 characters.
public struct CompetentNLURI: ValidatedValue {
    public let rawValue: String
    public init(validating raw: String) throws(ValueError) {
        guard raw.utf8.count <= 200 || raw.count <= 200 else {
            throw ValueError("is \(raw.count) characters long; a CompetentNL URI has at most 200")
        }
        guard raw.hasPrefix("http://") || raw.hasPrefix("https://"), raw.utf8.count > 8, !Self.hasWhitespace(raw)
        else { throw ValueError("\(Pattern.quoted(raw)) is not a URI (http:// or https://, no spaces)") }
        rawValue = raw
    }

    /// Unicode property look-ups are slow; URIs are nearly always ASCII, so check bytes first.
    private static func hasWhitespace(_ s: String) -> Bool {
        var ascii = true
        for b in s.utf8 {
            if b == 0x20 || (0x09...0x0D).contains(b) { return true }
            if b >= 0x80 { ascii = false }
        }
        return !ascii && s.unicodeScalars.contains { $0.properties.isWhitespace }
    }
}

/// An ISO 639-3 language code: three lower-case letters.
public struct TaalCode: ValidatedValue {
    public let rawValue: String
    public init(validating raw: String) throws(ValueError) {
        guard raw.utf8.count == 3, raw.utf8.allSatisfy({ (0x61...0x7A).contains($0) }) else {
            throw ValueError("\(Pattern.quoted(raw)) is not an ISO 639-3 language code (three lower-case letters)")
        }
        rawValue = raw
    }
}

/// A code of a course of study (`codeOpleidingsnaam`): digits, at most 10.
public struct OpleidingsnaamCode: ValidatedValue {
    public let rawValue: String
    public init(validating raw: String) throws(ValueError) {
        guard !raw.isEmpty, raw.utf8.count <= 10, Pattern.isASCIIDigits(raw[...]) else {
            throw ValueError("\(Pattern.quoted(raw)) is not a course code (1 to 10 digits)")
        }
        rawValue = raw
    }
}

/// A calendar date `YYYY-MM-DD`. Compares as the standard does: lexicographically, which for this form
/// is chronological.
public struct VUMDate: ValidatedValue, Comparable {
    public let rawValue: String
    public let year: Int, month: Int, day: Int

    public init(validating raw: String) throws(ValueError) {
        let u = Array(raw.utf8)
        func digits(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard (0x30...0x39).contains(u[i]) else { return nil }
                v = v * 10 + Int(u[i] - 0x30)
            }
            return v
        }
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D, let y = digits(0..<4), let m = digits(5..<7),
            let d = digits(8..<10)
        else { throw ValueError("\(Pattern.quoted(raw)) is not a date (YYYY-MM-DD)") }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(m), (1...days[m - 1]).contains(d) else {
            throw ValueError("\(Pattern.quoted(raw)) is not a calendar date")
        }
        rawValue = raw
        year = y
        month = m
        day = d
    }

    public init(year: Int, month: Int, day: Int) throws(ValueError) {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        try self.init(validating: "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))")
    }

    public static func < (lhs: VUMDate, rhs: VUMDate) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A CBS SBI code (Standaard Bedrijfsindeling), 0–99999.
public struct SBICode: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let rawValue: Int

    public init(_ value: Int) throws(ValueError) {
        guard (0...99_999).contains(value) else { throw ValueError("\(value) is not an SBI code (0–99999)") }
        rawValue = value
    }

    public var description: String { String(rawValue) }
    public static func < (a: SBICode, b: SBICode) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        do { try self.init(try c.decode(Int.self)) } catch let e as ValueError {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: e.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
