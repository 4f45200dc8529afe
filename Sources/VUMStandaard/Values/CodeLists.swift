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
    case onbekend = 0
    case ja = 1
    case nee = 2
    public var label: String { ["onbekend", "ja", "nee"][rawValue] }
    public static let listName = "an indicatie"
}

/// 1 ja, 2 nee (fields where "unknown" is not an answer).
public enum JaNee: Int, CodeList {
    case ja = 1
    case nee = 2
    public var label: String { self == .ja ? "ja" : "nee" }
    public static let listName = "a ja/nee indicatie"
}

/// Werk- en denkniveau 0–7. Werkzoekenden send it as an integer, vacatures as a string.
public enum WerkEnDenkniveau: Int, CodeList, Comparable {
    case nietVanToepassing = 0
    case geenBasisopleiding, basisniveau, vmbo, mboHavoVwo, hbo, wo, nietBekend
    public var label: String {
        ["n.v.t.", "geen basisopleiding", "basisniveau", "vmbo", "mbo/havo/vwo", "hbo", "wo", "(nog) niet bekend"][
            rawValue]
    }
    public static let listName = "a werk- en denkniveau"
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The vacature's `codeWerkEnDenkniveauMinimaal`: the same levels as strings "0"–"7".
public enum WerkEnDenkniveauCode: String, CodeList {
    case n0 = "0"
    case n1 = "1"
    case n2 = "2"
    case n3 = "3"
    case n4 = "4"
    case n5 = "5"
    case n6 = "6"
    case n7 = "7"
    public var niveau: WerkEnDenkniveau { WerkEnDenkniveau(rawValue: Int(rawValue)!)! }
    public var label: String { niveau.label }
    public static let listName = "a werk- en denkniveau code"
}

public enum TypeArbeidscontract: String, CodeList {
    case bepaaldeTijd = "B"
    case onbepaaldeTijd = "O"
    public var label: String { self == .bepaaldeTijd ? "bepaalde tijd" : "onbepaalde tijd" }
    public static let listName = "a type arbeidscontract"
}

public enum TypeOvereenkomst: String, CodeList {
    case regulier = "01"
    case leerbaan = "02"
    case vrijwilligerswerk = "03"
    case werkervaringsplaats = "04"
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
    case auto = 1
    case bromfiets = 2
    case fiets = 3
    case motor = 4
    case openbaarVervoer = 5
    case anders = 9
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
    case onbekend = 0
    case geen = 1
    case redelijk = 2
    case goed = 3
    case uitstekend = 4
    case nietVanToepassing = 8
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
    case a = "A"
    case a1 = "A1"
    case a2 = "A2"
    case am = "AM"
    case b = "B"
    case bPlus = "B+"
    case be = "BE"
    case c1 = "C1"
    case c1e = "C1E"
    case
        c = "C"
    case ce = "CE"
    case d1 = "D1"
    case d1e = "D1E"
    case d = "D"
    case de = "DE"
    case t = "T"
    public var label: String { "rijbewijs \(rawValue)" }
    public static let listName = "a driving licence category"
}

public enum NiveauOpleiding: Int, CodeList {
    case basis = 1
    case vmbo = 2
    case havoVwo = 3
    case mbo = 4
    case hboBachelor = 5
    case woMaster = 6
    case anders = 9
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
    case onbekend = 0
    case afgerond = 1
    case afgebroken = 2
    case lopend = 3
    public var label: String { ["onbekend", "afgerond", "afgebroken", "lopend"][rawValue] }
    public static let listName = "a status of education"
}

/// Diploma or certificate obtained: 0 onbekend, 1 ja, 2 nee, 8 n.v.t.
public enum IndicatieBehaald: Int, CodeList {
    case onbekend = 0
    case ja = 1
    case nee = 2
    case nietVanToepassing = 8
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
    case profiel = 1
    case cv = 2
    case werkgever = 3
    case sollicitatieformulier = 4
    public var label: String { ["", "profiel", "CV", "werkgever", "sollicitatieformulier"][rawValue] }
    public static let listName = "a kind of web address"
}

public enum Sollicitatiewijze: String, CodeList {
    case post = "1"
    case telefoon = "2"
    case email = "3"
    case onlineFormulier = "4"
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
