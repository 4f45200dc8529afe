/// A value in an AMQP field table (message headers, queue and exchange arguments).
public enum AMQPFieldValue: Sendable, Hashable {
    case string(String)
    case bool(Bool)
    case int8(Int8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case float(Float)
    case double(Double)
    /// Seconds since 1970, as AMQP timestamps are.
    case timestamp(UInt64)
    case bytes([UInt8])
    case table(AMQPTable)
    case array([AMQPFieldValue])
    case void

    /// The value as a string, when it is one (RabbitMQ sends strings as UTF-8 long strings).
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value as an integer, whatever its width.
    public var intValue: Int64? {
        switch self {
        case .int8(let v): Int64(v)
        case .int16(let v): Int64(v)
        case .int32(let v): Int64(v)
        case .int64(let v): v
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var tableValue: AMQPTable? {
        if case .table(let t) = self { return t }
        return nil
    }
}

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// An AMQP field table. Keys are unique; the order of entries is kept as given (the broker ignores it).
public struct AMQPTable: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var entries: [(key: String, value: AMQPFieldValue)]

    public init() { entries = [] }

    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        entries = []
        for (k, v) in elements { self[k] = v }
    }

    public init(_ entries: [(String, AMQPFieldValue)]) {
        self.entries = []
        for (k, v) in entries { self[k] = v }
    }

    public subscript(key: String) -> AMQPFieldValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public func makeIterator() -> IndexingIterator<[(key: String, value: AMQPFieldValue)]> {
        entries.makeIterator()
    }

    public static func == (lhs: AMQPTable, rhs: AMQPTable) -> Bool {
        lhs.entries.count == rhs.entries.count
            && lhs.entries.allSatisfy { entry in rhs[entry.key] == entry.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries.sorted(by: { $0.key < $1.key }) {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }
}

extension AMQPFieldValue {
    /// An upper bound on the bytes this value takes on the wire (type tag and length prefixes included).
    var wireSizeBound: Int {
        switch self {
        case .string(let s): 5 + s.utf8.count
        case .bytes(let b): 5 + b.count
        case .table(let t): t.wireSizeBound
        case .array(let a): a.reduce(5) { $0 + $1.wireSizeBound }
        default: 9
        }
    }
}

extension AMQPTable {
    /// An upper bound on the bytes this table takes on the wire.
    var wireSizeBound: Int {
        entries.reduce(4) { $0 + 1 + $1.key.utf8.count + $1.value.wireSizeBound }
    }
}
