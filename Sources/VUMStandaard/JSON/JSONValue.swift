/// A JSON value that keeps what the wire said: object key order, and whether a number was written as
/// an integer. The selectievraag round-trips through it unchanged, and `$eq` can tell `"7"` from `7`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// `""`, `[]`, `{}` and `null` count as absent in the VUM standard.
    public var isEmpty: Bool {
        switch self {
        case .null: true
        case .string(let s): s.isEmpty
        case .array(let a): a.isEmpty
        case .object(let o): o.isEmpty
        default: false
        }
    }

    /// A short name of the JSON type, for messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let n): n.isInteger ? "an integer" : "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON number: integers exactly (up to 64 bits), others as `Double`.
public enum JSONNumber: Sendable, Hashable, CustomStringConvertible {
    case integer(Int64)
    case double(Double)

    public var isInteger: Bool { if case .integer = self { true } else { false } }
    public var doubleValue: Double {
        switch self {
        case .integer(let i): Double(i)
        case .double(let d): d
        }
    }
    public var integerValue: Int64? {
        switch self {
        case .integer(let i): i
        case .double(let d): d.rounded() == d && abs(d) < 9e15 ? Int64(d) : nil
        }
    }
    public var description: String {
        switch self {
        case .integer(let i): String(i)
        case .double(let d): d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        }
    }
}

/// A JSON object with its keys in the order they were written. Keys are unique (a repeated key in the
/// input keeps its last value, as most parsers do).
public struct JSONObject: Sendable, Hashable, Sequence {
    public private(set) var entries: [(key: String, value: JSONValue)] = []

    public init() {}
    public init(_ entries: [(String, JSONValue)]) {
        for (k, v) in entries { self[k] = v }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }
    public var keys: [String] { entries.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get {
            for e in entries where e.key == key { return e.value }
            return nil
        }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { entries.makeIterator() }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.entries.count == rhs.entries.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }

    public func hash(into hasher: inout Hasher) {
        for e in entries.sorted(by: { $0.key < $1.key }) {
            hasher.combine(e.key)
            hasher.combine(e.value)
        }
    }
}
