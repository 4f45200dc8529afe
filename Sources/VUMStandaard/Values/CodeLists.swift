/// A code list of the standard: the raw values are the wire values, each with its Dutch label.
public protocol CodeList: RawRepresentable, CaseIterable, Sendable, Hashable, Codable
where RawValue: Sendable & Hashable & Codable & CustomStringConvertible {
    /// The Dutch label of the code.
    var label: String { get }
    /// What the list is, for messages: "a driving licence category".
    static var listName: String { get }
}

extension CodeList {
    static var allowedValues: String { allCases.map { $0.rawValue.description }.joined(separator: ", ") }

    var json: JSONValue {
        if let i = rawValue as? Int { return .number(.integer(Int64(i))) }
        return .string(rawValue.description)
    }

    static func read(_ v: JSONValue, path: @autoclosure () -> String, log: IssueLog) -> Self? {
        if RawValue.self == Int.self {
            guard case .number(let n) = v, let i = n.integerValue else {
                log.error(path(), "must be an integer code, not \(v.typeName) (\(listName): \(allowedValues))")
                return nil
            }
            guard let c = Self(rawValue: Int(i) as! RawValue) else {
                log.error(path(), "\(i) is not \(listName) (\(allowedValues))")
                return nil
            }
            return c
        }
        guard case .string(let s) = v else {
            log.error(path(), "must be a string code, not \(v.typeName) (\(listName): \(allowedValues))")
            return nil
        }
        guard let c = Self(rawValue: s as! RawValue) else {
            log.error(path(), "\(Pattern.quoted(s)) is not \(listName) (\(allowedValues))")
            return nil
        }
        return c
    }
}

/// 0 onbekend, 1 ja, 2 nee.
public enum Indicatie: Int, CodeList {
    case onbekend = 0, ja = 1, nee = 2
    public var label: String { ["onbekend", "ja", "nee"][rawValue] }
    public static let listName = "an indicatie"
}

/// 1 ja, 2 nee (fields where "unknown" is not an answer).
public enum JaNee: Int, CodeList {
    case ja = 1, nee = 2
    public var label: String { self == .ja ? "ja" : "nee" }
    public static let listName = "a ja/nee indicatie"
}

/// Werk- en denkniveau 0–7. Werkzoekenden send it as an integer, vacatures as a string.
public enum WerkEnDenkniveau: Int, CodeList, Comparable {
    case nietVanToepassing = 0, geenBasisopleiding, basisniveau, vmbo, mboHavoVwo, hbo, wo, nietBekend
    public var label: String {
        ["n.v.t.", "geen basisopleiding", "basisniveau", "vmbo", "mbo/havo/vwo", "hbo", "wo", "(nog) niet bekend"][rawValue]
    }
    public static let listName = "a werk- en denkniveau"
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The vacature's `codeWerkEnDenkniveauMinimaal`: the same levels as strings "0"–"7".
public enum WerkEnDenkniveauCode: String, CodeList {
    case n0 = "0", n1 = "1", n2 = "2", n3 = "3", n4 = "4", n5 = "5", n6 = "6", n7 = "7"
    public var niveau: WerkEnDenkniveau { WerkEnDenkniveau(rawValue: Int(rawValue)!)! }
    public var label: String { niveau.label }
    public static let listName = "a werk- en denkniveau code"
}

public enum TypeArbeidscontract: String, CodeList {
    case bepaaldeTijd = "B", onbepaaldeTijd = "O"
    public var label: String { self == .bepaaldeTijd ? "bepaalde tijd" : "onbepaalde tijd" }
    public static let listName = "a type arbeidscontract"
}

public enum TypeOvereenkomst: String, CodeList {
    case regulier = "01", leerbaan = "02", vrijwilligerswerk = "03", werkervaringsplaats = "04"
    public var label: String {
        switch self {
        case .regulier: "regulier"
        case .leerbaan: "leerbaan"
        case .vrijwilligerswerk: "vrijwilligerswerk"
        case .werkervaringsplaats: "werkervaringsplaats"
        }
    }
    public static let listName = "a type overeenkomst"
}

public enum Vervoermiddel: Int, CodeList {
    case auto = 1, bromfiets = 2, fiets = 3, motor = 4, openbaarVervoer = 5, anders = 9
    public var label: String {
        switch self {
        case .auto: "auto"
        case .bromfiets: "bromfiets"
        case .fiets: "fiets"
        case .motor: "motor"
        case .openbaarVervoer: "openbaar vervoer"
        case .anders: "anders"
        }
    }
    public static let listName = "a vervoermiddel"
}

public enum NiveauTaalbeheersing: Int, CodeList, Comparable {
    case onbekend = 0, geen = 1, redelijk = 2, goed = 3, uitstekend = 4, nietVanToepassing = 8
    public var label: String {
        switch self {
        case .onbekend: "onbekend"
        case .geen: "geen"
        case .redelijk: "redelijk"
        case .goed: "goed"
        case .uitstekend: "uitstekend"
        case .nietVanToepassing: "n.v.t."
        }
    }
    public static let listName = "a level of language command"
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

public enum SoortRijbewijs: String, CodeList {
    case a = "A", a1 = "A1", a2 = "A2", am = "AM", b = "B", bPlus = "B+", be = "BE", c1 = "C1", c1e = "C1E",
        c = "C", ce = "CE", d1 = "D1", d1e = "D1E", d = "D", de = "DE", t = "T"
    public var label: String { "rijbewijs \(rawValue)" }
    public static let listName = "a driving licence category"
}

public enum NiveauOpleiding: Int, CodeList {
    case basis = 1, vmbo = 2, havoVwo = 3, mbo = 4, hboBachelor = 5, woMaster = 6, anders = 9
    public var label: String {
        switch self {
        case .basis: "basis"
        case .vmbo: "vmbo"
        case .havoVwo: "havo/vwo"
        case .mbo: "mbo"
        case .hboBachelor: "hbo/bachelor"
        case .woMaster: "wo/master"
        case .anders: "anders"
        }
    }
    public static let listName = "a level of education"
}

public enum StatusOpleiding: Int, CodeList {
    case onbekend = 0, afgerond = 1, afgebroken = 2, lopend = 3
    public var label: String { ["onbekend", "afgerond", "afgebroken", "lopend"][rawValue] }
    public static let listName = "a status of education"
}

/// Diploma or certificate obtained: 0 onbekend, 1 ja, 2 nee, 8 n.v.t.
public enum IndicatieBehaald: Int, CodeList {
    case onbekend = 0, ja = 1, nee = 2, nietVanToepassing = 8
    public var label: String {
        switch self {
        case .onbekend: "onbekend"
        case .ja: "ja"
        case .nee: "nee"
        case .nietVanToepassing: "n.v.t."
        }
    }
    public static let listName = "an indicatie diploma/certificaat"
}

public enum SoortWebadres: Int, CodeList {
    case profiel = 1, cv = 2, werkgever = 3, sollicitatieformulier = 4
    public var label: String { ["", "profiel", "CV", "werkgever", "sollicitatieformulier"][rawValue] }
    public static let listName = "a kind of web address"
}

public enum Sollicitatiewijze: String, CodeList {
    case post = "1", telefoon = "2", email = "3", onlineFormulier = "4"
    public var label: String {
        switch self {
        case .post: "post"
        case .telefoon: "telefoon"
        case .email: "e-mail"
        case .onlineFormulier: "online formulier"
        }
    }
    public static let listName = "a way to apply"
}
